"""Loopbrug's web server: the embeddable chat widget, its demo page and its small JSON API.

Start it with ``python -m web`` (``bot.serve`` does that for ``make run``). Nothing happens at
import time; ``web.app.build_app(settings)`` builds the aiohttp application.
"""
