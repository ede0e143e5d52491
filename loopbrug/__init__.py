"""Loopbrug's own logic, apart from Rasa: it imports no rasa, rasa_sdk, sanic or aiohttp.

Channels (connectors/), the web server (web/), the Rasa project (bot/) and the custom actions
(actions/) use this package; it uses none of them. See docs/architecture.md.
"""
