"""The ticket page that works without reloads (issue 19): the JSON answers of the ticket
POSTs (the same checks and texts as the form posts), the state in transcript.json, canned
replies on the page and the sound control. Fixtures: tests/unit/test_coach_inbox.py."""

from __future__ import annotations

import html
import re

from loopbrug.handoff import store
from loopbrug.texts import text
from tests.unit.test_coach_inbox import (  # noqa: F401 (fixtures)
    client,
    logged_in,
    make_ticket,
    quick_hashes,
    rasa,
    settings,
    team,
    url,
)
from web.coach import present

JSON = {"Accept": "application/json"}


async def post_json(http, ticket: store.Ticket, what: str, csrf: str, **fields: str):
    reply = await http.post(
        f"/coach/tickets/{ticket.ref}/{what}",
        data={"csrf": csrf, **fields},
        headers=JSON,
        allow_redirects=False,
    )
    assert reply.content_type == "application/json"
    return reply.status, await reply.json()


async def test_claim_takeover_reply_and_handback_answer_json(client, url, rasa):  # noqa: F811
    ticket = make_ticket(url, "web-json-actions")
    csrf = await logged_in(client, "anna")

    assert await post_json(client, ticket, "claim", csrf) == (
        200,
        {
            "ok": True,
            "code": "opgepakt",
            "message": "Je hebt het ticket opgepakt.",
            "url": f"/coach/tickets/{ticket.ref}",
        },
    )
    status, body = await post_json(client, ticket, "takeover", csrf)
    assert status == 200 and body["message"] == present.FLASHES["overgenomen"]
    assert store.get_ticket(ticket.ref, url).live is True

    status, body = await post_json(client, ticket, "reply", csrf, text="Ik lees mee.")
    assert status == 200 and body["message"] == "Je bericht is verstuurd."
    assert rasa.appended[-1]["events"][0]["data"]["custom"]["text"] == "Ik lees mee."

    status, body = await post_json(client, ticket, "handback", csrf)
    assert status == 200 and body["code"] == "teruggegeven"
    assert store.get_ticket(ticket.ref, url).live is False


async def test_errors_name_their_field_with_the_same_texts(client, url, rasa):  # noqa: F811
    ticket = make_ticket(url, "web-json-errors")
    csrf = await logged_in(client, "anna")
    await post_json(client, ticket, "claim", csrf)
    await post_json(client, ticket, "takeover", csrf)
    sent = len(rasa.appended)

    assert await post_json(client, ticket, "reply", csrf, text="   ") == (
        422,
        {"ok": False, "code": "leeg", "error": "Typ eerst een tekst.", "field": "text"},
    )
    status, body = await post_json(
        client, ticket, "reply", csrf, text="x" * (present.MAX_REPLY_CHARS + 1)
    )
    assert (status, body["error"], body["field"]) == (
        422,
        present.ERRORS["bericht-te-lang"],
        "text",
    )
    status, body = await post_json(client, ticket, "close", csrf, outcome="niet-bestaand")
    assert (status, body["error"], body["field"]) == (422, "Kies een uitkomst.", "outcome")
    status, body = await post_json(client, ticket, "transfer", csrf, team="nergens", text="Zie")
    assert (status, body["error"], body["field"]) == (422, present.ERRORS["geen-team"], "team")
    assert len(rasa.appended) == sent  # nothing reached the person

    rasa.status = 503
    status, body = await post_json(client, ticket, "reply", csrf, text="Ben je er nog?")
    assert (status, body["error"], body["field"]) == (502, present.ERRORS["rasa"], None)


async def test_a_conflict_with_a_colleague_is_a_409_without_a_field(client, url):  # noqa: F811
    ticket = make_ticket(url, "web-json-conflict")
    anna = await logged_in(client, "anna")
    await post_json(client, ticket, "claim", anna)
    bram = await logged_in(client, "bram")
    assert await post_json(client, ticket, "claim", bram) == (
        409,
        {
            "ok": False,
            "code": "andere-coach",
            "error": "Een andere coach heeft dit ticket al opgepakt.",
            "field": None,
        },
    )
    assert store.get_ticket(ticket.ref, url).coach_name == "Anna"


async def test_csrf_session_and_team_are_checked_as_for_a_form(client, url):  # noqa: F811
    ticket = make_ticket(url, "web-json-csrf")
    other = make_ticket(url, "web-json-other", team="groningen")
    csrf = await logged_in(client, "anna")
    assert await post_json(client, ticket, "claim", "fout") == (
        403,
        {"ok": False, "error": text("inbox.form_expired")},
    )
    status, body = await post_json(client, other, "claim", csrf)
    assert (status, body) == (404, {"ok": False, "error": present.not_found_text()})
    assert store.get_ticket(ticket.ref, url).coach_id is None
    assert store.get_ticket(other.ref, url).coach_id is None
    client.session.cookie_jar.clear()
    assert await post_json(client, ticket, "claim", csrf) == (
        403,
        {"ok": False, "error": text("inbox.not_logged_in")},
    )


async def test_a_transfer_away_from_the_coach_says_where_to_go(client, url, rasa):  # noqa: F811
    ticket = make_ticket(url, "web-json-transfer", team="landelijk")
    csrf = await logged_in(client, "anna")
    await post_json(client, ticket, "claim", csrf)
    status, body = await post_json(client, ticket, "transfer", csrf, team="groningen", text="Zie")
    assert status == 200 and body["redirect"] == "/coach?melding=overgedragen"
    assert body["message"] == present.FLASHES["overgedragen"]
    assert store.get_ticket(ticket.ref, url).team == "groningen"


async def test_a_form_post_without_json_still_redirects(client, url):  # noqa: F811
    ticket = make_ticket(url, "web-json-plain")
    csrf = await logged_in(client, "anna")
    reply = await client.post(
        f"/coach/tickets/{ticket.ref}/claim", data={"csrf": csrf}, allow_redirects=False
    )
    assert reply.status == 303
    assert reply.headers["Location"] == f"/coach/tickets/{ticket.ref}?melding=opgepakt"


async def test_transcript_json_state_changes_when_a_colleague_claims(client, url, team):  # noqa: F811
    ticket = make_ticket(url, "web-json-state")
    await logged_in(client, "bram")
    before = await (await client.get(f"/coach/tickets/{ticket.ref}/transcript.json")).json()
    store.claim(ticket.ref, team["anna"].id, url=url)
    after = await (await client.get(f"/coach/tickets/{ticket.ref}/transcript.json")).json()
    assert before["state"].startswith("new||False|")
    assert after["state"].startswith(f"claimed|{team['anna'].id}|False|")


async def test_the_ticket_page_offers_filled_in_canned_replies(client, url, rasa):  # noqa: F811
    ticket = make_ticket(url, "web-canned", team="groningen")  # region and gemeente Groningen
    csrf = await logged_in(client, "cees")
    page = await (await client.get(f"/coach/tickets/{ticket.ref}")).text()
    assert 'id="canned"' not in page  # only with the reply box, once the coach has the chat
    await post_json(client, ticket, "claim", csrf)
    await post_json(client, ticket, "takeover", csrf)
    page = await (await client.get(f"/coach/tickets/{ticket.ref}")).text()
    options = re.findall(r'<option value="(\d+)" data-text="([^"]*)">([^<]*)</option>', page)
    own = (
        "Ik ben Cees van Werkcentrum Groningen Noord-Drenthe. Wij helpen mensen in de regio "
        "Groningen met werk en met leren."
    )
    assert options[0] == ("0", own, "Werkcentrum")
    assert all("{" not in html.unescape(said) for _, said, _ in options)
    assert '<label for="canned">Standaardtekst</label>' in page

    # Without JavaScript "Invoegen" asks for the page with the text in the reply box.
    chosen = await (await client.get(f"/coach/tickets/{ticket.ref}?standaardtekst=0")).text()
    box = re.search(r'<textarea id="reply"[^>]*>([^<]*)</textarea>', chosen).group(1)
    assert html.unescape(box) == own
    odd = await (await client.get(f"/coach/tickets/{ticket.ref}?standaardtekst=99")).text()
    assert re.search(r'<textarea id="reply"[^>]*></textarea>', odd)


async def test_list_and_ticket_page_have_the_sound_control(client, url):  # noqa: F811
    ticket = make_ticket(url, "web-sound")
    await logged_in(client, "anna")
    for address in ("/coach", f"/coach/tickets/{ticket.ref}"):
        page = await (await client.get(address)).text()
        assert '<label for="sound-toggle">Geluid bij nieuw werk</label>' in page
        assert re.search(r'<input type="checkbox" id="sound-toggle"', page)
