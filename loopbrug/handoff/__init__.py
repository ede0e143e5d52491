"""Warm handoff to coaches: tickets, routing, summaries, office hours, relay and follow-up.

``service`` is the API the adapters call (create, claim, take over, send, hand back, close);
the other modules are its parts. Shared by the action server (which makes tickets after
consent), the Rasa server (a crisis makes a ticket urgent) and the web server (coach inbox,
widget relay, follow-up job). See docs/architecture.md, "Handoff".
"""
