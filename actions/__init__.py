"""Loopbrug's custom actions, served by the rasa-sdk action server.

The executor imports every module in this package, so each feature has its own module.
Actions stay thin: they read slots, call a service, send a response and return events.
"""
