"""Warm handoff to coaches: tickets, routing, summaries, relay and follow-up.

Shared by the action server (which makes tickets after consent) and the web server (coach
inbox, widget relay, follow-up job). See docs/architecture.md, "Handoff".
"""
