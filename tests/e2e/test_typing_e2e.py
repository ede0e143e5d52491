"""Typing on Telegram end to end (issue 19): a coach types to a Telegram user in a live chat,
and the real web server sends the Bot API's ``sendChatAction`` "typing" to the fake Bot API.

The person asks for a coach on Telegram (real Update JSON to the real Rasa), a coach claims
the ticket and takes over through the inbox's forms; then the ticket page's typing signal
(``POST /coach/tickets/{ref}/typing``, as coach-typing.js sends it) reaches Telegram.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Iterator, List

import pytest

from bot.serve import Helpline
from loopbrug.handoff import store
from tests.e2e.conftest import REF, Coach, TelegramChat, start_coach_helpline
from tests.telegram_fake import Call, FakeBotApi

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def helpline(api: FakeBotApi, tmp_path_factory) -> Iterator[Helpline]:
    db_path: Path = tmp_path_factory.mktemp("typing") / "loopbrug.db"
    running = start_coach_helpline(api, db_path, "typing", [("bram", "Bram", "landelijk")])
    yield running
    running.stop()


def chat_actions(api: FakeBotApi, chat_id: int) -> List[Call]:
    return [c for c in api.called("sendChatAction") if c.params.get("chat_id") == chat_id]


def signal(coach: Coach, ref: str, typing: str = "1") -> int:
    csrf = re.search(r'name="csrf" value="([^"]+)"', coach.page(ref).text).group(1)
    reply = coach.client.post(f"/coach/tickets/{ref}/typing", data={"csrf": csrf, "typing": typing})
    return reply.status_code


def test_a_coach_typing_shows_typing_on_telegram(helpline, api):
    person = TelegramChat(helpline, api)
    assert "Vind je dat goed?" in person.say_and_wait("ik wil iemand spreken")
    assert "sla over" in person.say_and_wait("ja")
    assert "contact" in person.say_and_wait("sla over")
    ref = REF.search(person.say_and_wait("hier in de chat")).group(0)
    ticket = store.open_ticket_for(person.sender, helpline.settings.database_url)
    assert ticket.channel == "telegram"

    bram = Coach(helpline, "bram")
    bram.post(ref, "claim")
    assert signal(bram, ref) == 409  # not live yet: nothing goes to Telegram
    bram.post(ref, "takeover")
    api.wait_for(lambda: any("Je praat nu met Bram" in t for t in person.texts()), timeout=20)
    assert chat_actions(api, person.chat_id) == []

    assert signal(bram, ref) == 204
    api.wait_for(lambda: len(chat_actions(api, person.chat_id)) == 1, timeout=20)
    assert chat_actions(api, person.chat_id)[0].params == {
        "chat_id": person.chat_id,
        "action": "typing",
    }
    assert signal(bram, ref) == 204  # within 4 s of the last one: not sent again
    time.sleep(1)
    assert len(chat_actions(api, person.chat_id)) == 1

    bram.post(ref, "reply", text="Hoi, met Bram.")
    api.wait_for(lambda: "Bram (coach): Hoi, met Bram." in person.texts(), timeout=20)
    assert signal(bram, ref) == 204  # the message ended Telegram's "typing": it may go again
    api.wait_for(lambda: len(chat_actions(api, person.chat_id)) == 2, timeout=20)

    bram.post(ref, "handback")
    assert signal(bram, ref) == 409
    time.sleep(1)
    assert len(chat_actions(api, person.chat_id)) == 2
