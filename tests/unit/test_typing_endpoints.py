"""Typing indicators through the web app (issue 19): POST /api/typing and the ``typing`` of
/api/updates for the widget; typing.json and POST .../typing for the coach. Against a fake
Rasa, a real SQLite database and, for Telegram, the fake Bot API."""

from __future__ import annotations

import asyncio
from typing import Any, Dict

import httpx
import pytest
from aiohttp import test_utils

from loopbrug.handoff import coaches, store
from loopbrug.settings import Settings
from loopbrug.texts import text
from tests.conftest import free_port
from tests.telegram_fake import FakeBotApi
from tests.unit import test_coach_inbox as inbox
from web.app import build_app
from web.coach import typing as typing_indicators

PERSON_TYPES = text("inbox.person_typing")

# The inbox tests' fixtures and steps: a fake Rasa, a SQLite database, three coaches.
quick_hashes = inbox.quick_hashes
settings = inbox.settings
url = inbox.url
rasa = inbox.rasa
team = inbox.team
client = inbox.client
act, logged_in, make_ticket = inbox.act, inbox.logged_in, inbox.make_ticket


async def new_session(client) -> str:
    reply = await client.post("/api/session", json={})
    assert reply.status == 200
    return (await reply.json())["session"]


async def live_chat(client, url: str, session: str, coach: str = "anna"):
    """A ticket for the session's conversation, taken over by ``coach``; returns it and the
    coach's CSRF token."""
    ticket = make_ticket(url, "web-" + session)
    csrf = await logged_in(client, coach)
    assert (await act(client, ticket, "claim", csrf)).status == 303
    assert (await act(client, ticket, "takeover", csrf)).status == 303
    return ticket, csrf


async def person_types(client, session: str, typing: Any = True):
    return await client.post("/api/typing", json={"session": session, "typing": typing})


async def coach_sees(client, ticket: store.Ticket) -> Dict[str, Any]:
    reply = await client.get(f"/coach/tickets/{ticket.ref}/typing.json")
    assert reply.status == 200, await reply.text()
    assert reply.headers["Cache-Control"] == "no-store"
    return await reply.json()


async def coach_types(client, ticket: store.Ticket, csrf: str, typing: str = "1"):
    return await client.post(
        f"/coach/tickets/{ticket.ref}/typing",
        data={"csrf": csrf, "typing": typing},
        allow_redirects=False,
    )


async def widget_sees(client, session: str) -> Dict[str, Any]:
    reply = await client.get("/api/updates", params={"session": session, "after": "0"})
    assert reply.status == 200
    return await reply.json()


# -- the person types, the coach sees it -------------------------------------------------------


async def test_the_coach_sees_the_person_typing_until_the_message_comes(client, url, rasa):
    session = await new_session(client)
    ticket, _ = await live_chat(client, url, session)
    assert await coach_sees(client, ticket) == {"live": True, "open": True, "typing": ""}

    reply = await person_types(client, session)
    assert reply.status == 204
    assert await coach_sees(client, ticket) == {
        "live": True,
        "open": True,
        "typing": "De persoon typt…",
    }

    sent = await client.post("/api/message", json={"session": session, "message": "hallo"})
    assert sent.status == 200
    assert await coach_sees(client, ticket) == {"live": True, "open": True, "typing": ""}


async def test_the_person_stopping_ends_it(client, url):
    session = await new_session(client)
    ticket, _ = await live_chat(client, url, session)
    await person_types(client, session, True)
    assert (await person_types(client, session, False)).status == 204
    assert (await coach_sees(client, ticket))["typing"] == ""


async def test_it_goes_after_six_seconds_without_a_signal(client, url, monkeypatch):
    session = await new_session(client)
    ticket, _ = await live_chat(client, url, session)
    board = client.app[typing_indicators.BOARD]
    now = [5000.0]
    monkeypatch.setattr(board, "_clock", lambda: now[0])
    await person_types(client, session)
    now[0] += 5
    assert (await coach_sees(client, ticket))["typing"] == PERSON_TYPES
    now[0] += 1
    assert (await coach_sees(client, ticket))["typing"] == ""


async def test_no_live_chat_no_signal(client, url):
    session = await new_session(client)
    reply = await person_types(client, session)  # no ticket at all
    assert reply.status == 409 and await reply.json() == {"live": False}

    ticket = make_ticket(url, "web-" + session)  # a ticket, but the bot still has the chat
    reply = await person_types(client, session)
    assert reply.status == 409
    await logged_in(client, "anna")
    assert await coach_sees(client, ticket) == {"live": False, "open": True, "typing": ""}
    assert len(client.app[typing_indicators.BOARD]) == 0  # nothing was kept


async def test_after_the_hand_back_or_close_the_coach_no_longer_sees_it(client, url):
    session = await new_session(client)
    ticket, csrf = await live_chat(client, url, session)
    await person_types(client, session)
    await act(client, ticket, "handback", csrf)
    assert await coach_sees(client, ticket) == {"live": False, "open": True, "typing": ""}
    assert (await person_types(client, session)).status == 409

    await act(client, ticket, "close", csrf, outcome=next(iter(store.OUTCOMES)))
    assert await coach_sees(client, ticket) == {"live": False, "open": False, "typing": ""}


@pytest.mark.parametrize(
    "body, status, message",
    [
        ({"typing": True}, 400, "widget.no_session"),
        ({"session": "A" * 32, "typing": True}, 403, "widget.unknown_session"),
        ({"session": "SESSION", "typing": "ja"}, 400, "widget.not_typing"),
        ({"session": "SESSION"}, 400, "widget.not_typing"),
    ],
)
async def test_the_widget_signal_needs_a_session_and_a_yes_or_no(client, body, status, message):
    session = await new_session(client)
    if body.get("session") == "SESSION":
        body = {**body, "session": session}
    reply = await client.post("/api/typing", json=body)
    assert reply.status == status
    assert (await reply.json())["error"] == text(message)


async def test_too_many_person_signals_are_refused(client, url):
    session = await new_session(client)
    ticket, _ = await live_chat(client, url, session)
    answers = [(await person_types(client, session)).status for _ in range(8)]
    assert answers == [204] * typing_indicators.LIMIT_COUNT + [429] * 2
    reply = await person_types(client, session)
    assert (await reply.json())["error"] == text("widget.too_fast")
    other = await new_session(client)  # another person has their own count
    assert (await person_types(client, other)).status == 409


async def test_only_coaches_of_the_team_see_the_person_typing(client, url):
    session = await new_session(client)
    ticket, _ = await live_chat(client, url, session, coach="anna")
    await person_types(client, session)
    await logged_in(client, "bram")  # same team, not the coach of the chat: may see it
    assert (await coach_sees(client, ticket))["typing"] == PERSON_TYPES
    await logged_in(client, "cees")  # another team: as if the ticket did not exist
    reply = await client.get(f"/coach/tickets/{ticket.ref}/typing.json")
    assert reply.status == 404 and "typt" not in await reply.text()
    client.session.cookie_jar.clear()
    reply = await client.get(f"/coach/tickets/{ticket.ref}/typing.json")
    assert reply.status == 401 and "typt" not in await reply.text()


async def test_another_conversation_does_not_show(client, url):
    first, second = await new_session(client), await new_session(client)
    ticket, csrf = await live_chat(client, url, first)
    other = make_ticket(url, "web-" + second)
    await act(client, other, "claim", csrf)
    await act(client, other, "takeover", csrf)
    await person_types(client, second)
    assert (await coach_sees(client, ticket))["typing"] == ""
    assert (await coach_sees(client, other))["typing"] == PERSON_TYPES


# -- the coach types, the widget sees it -------------------------------------------------------


async def test_the_widget_sees_the_coach_typing_until_the_reply_comes(client, url):
    session = await new_session(client)
    ticket, csrf = await live_chat(client, url, session)
    assert "typing" not in await widget_sees(client, session)

    reply = await coach_types(client, ticket, csrf)
    assert reply.status == 204
    assert (await widget_sees(client, session))["typing"] == "Anna"

    await act(client, ticket, "reply", csrf, text="Ik ben er.")
    body = await widget_sees(client, session)
    assert "typing" not in body and body["messages"][-1]["text"] == "Ik ben er."

    await coach_types(client, ticket, csrf, "1")
    assert (await coach_types(client, ticket, csrf, "0")).status == 204
    assert "typing" not in await widget_sees(client, session)


async def test_another_widget_does_not_see_the_coach_typing(client, url):
    session, stranger = await new_session(client), await new_session(client)
    ticket, csrf = await live_chat(client, url, session)
    await coach_types(client, ticket, csrf)
    assert "typing" not in await widget_sees(client, stranger)
    assert (await widget_sees(client, session))["typing"] == "Anna"


async def test_only_the_coach_with_the_live_chat_may_signal(client, url):
    session = await new_session(client)
    ticket = make_ticket(url, "web-" + session)
    csrf = await logged_in(client, "anna")
    await act(client, ticket, "claim", csrf)
    reply = await coach_types(client, ticket, csrf)  # claimed, but not taken over
    assert reply.status == 409 and await reply.json() == {"live": False}

    await act(client, ticket, "takeover", csrf)
    bram = await logged_in(client, "bram")  # same team, not their chat
    assert (await coach_types(client, ticket, bram)).status == 409
    cees = await logged_in(client, "cees")  # another team: not found
    assert (await coach_types(client, ticket, cees)).status == 404
    assert "typing" not in await widget_sees(client, session)


async def test_the_coach_signal_needs_the_session_and_its_csrf_token(client, url):
    session = await new_session(client)
    ticket, csrf = await live_chat(client, url, session)
    assert (await coach_types(client, ticket, "verkeerd")).status == 403
    client.session.cookie_jar.clear()
    assert (await coach_types(client, ticket, csrf)).status == 403
    assert "typing" not in await widget_sees(client, session)


async def test_too_many_coach_signals_are_refused(client, url):
    session = await new_session(client)
    ticket, csrf = await live_chat(client, url, session)
    answers = [(await coach_types(client, ticket, csrf)).status for _ in range(7)]
    assert answers == [204] * typing_indicators.LIMIT_COUNT + [429]


async def test_the_ticket_page_has_the_status_line_and_its_script(client, url):
    session = await new_session(client)
    ticket, csrf = await live_chat(client, url, session)
    html = await (await client.get(f"/coach/tickets/{ticket.ref}")).text()
    assert 'id="typing-state" role="status"' in html
    assert f'data-src="/coach/tickets/{ticket.ref}/typing.json"' in html
    assert f'data-csrf="{csrf}"' in html
    assert '<script src="/coach-typing.js" defer></script>' in html
    script = await client.get("/coach-typing.js")
    assert script.status == 200 and script.content_type == "text/javascript"
    assert 'getElementById("typing-state")' in await script.text()


# -- Telegram: the Bot API's "typing" ----------------------------------------------------------


async def test_a_coach_typing_to_a_telegram_user_sends_the_typing_action(tmp_path, rasa):
    with FakeBotApi() as api:
        settings = Settings(
            rasa_port=free_port(),
            web_port=free_port(),
            database_url=f"sqlite:///{tmp_path / 'coach.db'}",
            telegram_bot_token=api.token,
            telegram_api_base_url=api.base_url,
        )
        coaches.add_coach("anna", "Anna", ["landelijk"], inbox.PASSWORD, settings.database_url)
        app = build_app(settings, rasa_transport=httpx.MockTransport(rasa))
        async with test_utils.TestClient(test_utils.TestServer(app)) as tg_client:
            ticket = make_ticket(settings.database_url, "tg-4711", channel="telegram")
            csrf = await logged_in(tg_client, "anna")
            await act(tg_client, ticket, "claim", csrf)
            await act(tg_client, ticket, "takeover", csrf)

            assert (await coach_types(tg_client, ticket, csrf)).status == 204
            await api.wait_for_async(lambda: len(api.called("sendChatAction")) == 1)
            # Typing on: at most one action per 4 s, however often the page signals.
            assert (await coach_types(tg_client, ticket, csrf)).status == 204
            await asyncio.sleep(0.3)
            assert len(api.called("sendChatAction", ok_only=False)) == 1
            # The reply ends Telegram's "typing"; the next signal may send again at once.
            await act(tg_client, ticket, "reply", csrf, text="Hoi, ik ben Anna.")
            assert (await coach_types(tg_client, ticket, csrf)).status == 204
            await api.wait_for_async(lambda: len(api.called("sendChatAction")) == 2)
        actions = [c.params for c in api.called("sendChatAction")]
        assert actions == [{"chat_id": 4711, "action": "typing"}] * 2
