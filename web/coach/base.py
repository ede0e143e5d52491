"""What every part of the coach inbox shares: app keys, templates, the database, redirects.

Database calls block, so ``db`` runs them in a worker thread, on the app's database.
"""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path
from typing import Any, Callable, Optional
from urllib.parse import quote, urlencode

import jinja2
from aiohttp import web

from loopbrug.handoff.relay import RasaRelay
from loopbrug.settings import Settings
from loopbrug.texts import text

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"

RELAY = web.AppKey("coach_relay", RasaRelay)
COACH_SETTINGS = web.AppKey("coach_settings", Settings)
TEMPLATES = web.AppKey("coach_templates", jinja2.Environment)


def settings_of(request: web.Request) -> Settings:
    """The helpline's settings, as given to ``setup``."""
    return request.app[COACH_SETTINGS]


def url_of(request: web.Request) -> str:
    """The database of the app (DATABASE_URL)."""
    return settings_of(request).database_url


async def db(request: web.Request, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """A store call in a worker thread, on the app's database."""
    url = url_of(request)
    return await asyncio.to_thread(functools.partial(function, *args, url=url, **kwargs))


def templates() -> jinja2.Environment:
    """The inbox's Jinja templates (web/templates/coach/), escaped, strict about names.

    ``text("inbox.<name>", ...)`` gives templates the texts of data/texts/nl/ (loopbrug/texts.py).
    """
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals["text"] = text
    return environment


def render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    """An HTML page from a template."""
    html = request.app[TEMPLATES].get_template(template).render(**context)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def wants_json(request: web.Request) -> bool:
    """The request asks for JSON (coach.js sends its POSTs with ``Accept: application/json``);
    a plain form POST gets the redirect and the HTML pages."""
    return "application/json" in request.headers.get("Accept", "")


def see_other(location: str) -> web.Response:
    """A redirect after a POST (303), or to the login page."""
    return web.Response(status=303, headers={"Location": location})


def ticket_url(ref: str, flash: Optional[str] = None) -> str:
    """The ticket page, with a message code (``?melding=``) after an action."""
    url = "/coach/tickets/" + quote(ref, safe="")
    return url + ("?" + urlencode({"melding": flash}) if flash else "")


def secure_cookies(request: web.Request) -> bool:
    """Cookies get ``Secure`` when the inbox is reached over https (LOOPBRUG_PUBLIC_URL)."""
    return (settings_of(request).public_url or "").lower().startswith("https")
