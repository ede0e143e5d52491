"""More than one Rasa process, as in production: PostgreSQL tracker store, Redis lock store.

The module starts its own PostgreSQL and Redis from Debian's packages (``make services-deps``)
on 127.0.0.1 and free ports, then two Rasa servers, one action server and the web server
on top of them. It checks that one person's messages are all kept, in order, whichever
process takes them and however many arrive at once, and that a database restart or a lost
connection costs no message. Missing programs fail the module: it is never skipped.

PostgreSQL refuses to run as root. As root the test runs initdb, postgres and pg_ctl as the
``postgres`` user that Debian's package creates (``runuser -u postgres``), with the data
directory in a temporary directory owned by that user; as any other user it runs them as
that user.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional, Tuple

import httpx
import pytest
import sqlalchemy as sa

from bot.extensions.lock_store import LoopbrugRedisLockStore
from bot.serve import Helpline, commands, redis_lock_store, stop_process_group, wait_ready
from connectors.reliability import slow_reply
from loopbrug.conversation import web_sender
from loopbrug.knowledge import reply
from loopbrug.knowledge.units import KnowledgeBase
from loopbrug.settings import ROOT, Settings
from tests.conftest import free_port
from tests.e2e.conftest import API_TOKEN
from tests.services import Postgres, Redis, postgres_bin_dir, redis_server_program

pytestmark = pytest.mark.e2e

LOG_DIR = ROOT / "var" / "test-logs" / "multiprocess"
WEB_FIRST = "/funding_employer"  # what each web session says before the database trouble
KB = KnowledgeBase.load()
# Button payloads whose answers depend on nothing but the intent: every reply can be checked.
INTENTS = [
    "orientation_start",
    "shortage_sectors",
    "training_routes",
    "skills_recognition",
    "funding_employer",
    "funding_loan",
    "funding_stap",
    "career_advice_free",
]


def answer(payload: str) -> str:
    """The first message a button of a topic gets: its default unit with the check line."""
    return reply.answer(KB, KB.default_for(payload.lstrip("/"))).text


@dataclass
class Cluster:
    settings: Settings
    postgres: Postgres
    redis: Redis
    rasa_urls: Tuple[str, str]

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.web_port}"


def start_second_rasa(settings: Settings, port: int) -> Tuple[subprocess.Popen, str, Any]:
    """Another Rasa server with `make run`'s command line, on another port."""
    argv = dict((name, argv) for name, argv, _ in commands(settings))["rasa"]
    argv[argv.index("--port") + 1] = str(port)
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = open(LOG_DIR / "rasa-2.log", "ab")  # noqa: SIM115 (closed by the fixture)
    process = subprocess.Popen(
        argv,
        cwd=ROOT,
        env=settings.child_environment(os.environ),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return process, f"http://127.0.0.1:{port}", log


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    bin_dir, redis_program = postgres_bin_dir(), redis_server_program()
    postgres = Postgres(bin_dir)
    redis_server = Redis(redis_program, postgres.base)
    settings = Settings(
        rasa_port=free_port(),
        actions_port=free_port(),
        web_port=free_port(),
        database_url=postgres.url,
        redis_url=redis_server.url,
        rasa_api_token=API_TOKEN,
    )
    helpline = Helpline(settings, log_dir=LOG_DIR)
    second: Optional[subprocess.Popen] = None
    log = None
    try:
        postgres.start()
        redis_server.start()
        # The second Rasa loads its model while the helpline starts: both at once is quicker.
        second, second_url, log = start_second_rasa(settings, free_port())
        helpline.start()
        wait_ready(f"{second_url}/", second)
        yield Cluster(settings, postgres, redis_server, (settings.rasa_url, second_url))
    finally:
        if second is not None:
            stop_process_group(second)
        if log is not None:
            log.close()
        helpline.stop()
        redis_server.stop()
        postgres.stop()


def say(base_url: str, sender: str, text: str) -> List[Dict[str, Any]]:
    reply = httpx.post(
        f"{base_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=90
    )
    assert reply.status_code == 200, reply.text
    return reply.json()


def tracker_events(base_url: str, sender: str) -> List[Dict[str, Any]]:
    reply = httpx.get(
        f"{base_url}/conversations/{sender}/tracker", params={"token": API_TOKEN}, timeout=30
    )
    assert reply.status_code == 200, reply.text
    return reply.json()["events"]


def turns(events: List[Dict[str, Any]]) -> List[Tuple[str, List[Dict[str, Any]]]]:
    """(what the person said, the events up to their next message), in tracker order."""
    result: List[Tuple[str, List[Dict[str, Any]]]] = []
    for event in events:
        if event["event"] == "user":
            result.append((event["text"], []))
        elif result:
            result[-1][1].append(event)
    return result


def assert_each_message_is_followed_by_its_answer(events: List[Dict[str, Any]]) -> None:
    for said, after in turns(events):
        bot = [e.get("text") for e in after if e["event"] == "bot"]
        assert answer(said) in bot, f"{said}: answered with {bot}"
        actions = [e["name"] for e in after if e["event"] == "action"]
        assert actions and actions[-1] == "action_listen", f"{said}: turn not finished {actions}"
    stamps = [e["timestamp"] for e in events]
    assert stamps == sorted(stamps), "events are not in the order they happened"


def stored_user_messages(cluster: Cluster, sender: str) -> List[str]:
    """The person's messages as PostgreSQL holds them, oldest first."""
    engine = sa.create_engine(cluster.settings.database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "select data from events where sender_id = :sender and type_name = 'user' "
                    "order by id"
                ),
                {"sender": sender},
            )
            return [json.loads(data)["text"] for (data,) in rows]
    finally:
        engine.dispose()


def new_sender() -> str:
    return "e2e-multi-" + uuid.uuid4().hex[:12]


def lock_stores(cluster: Cluster, count: int = 2) -> List[LoopbrugRedisLockStore]:
    """Lock stores as ``count`` Rasa processes build them from REDIS_URL (own connections)."""
    section = redis_lock_store(cluster.settings.redis_url)
    section.pop("type")
    host = section.pop("url")
    return [LoopbrugRedisLockStore(host=host, **section) for _ in range(count)]


def test_tickets_drawn_at_once_in_two_processes_are_all_different(cluster):
    stores, conversation, per_store = lock_stores(cluster), new_sender(), 25
    start = threading.Barrier(len(stores))
    tickets: List[int] = []

    def draw(store: LoopbrugRedisLockStore) -> None:
        start.wait()
        tickets.extend(store.issue_ticket(conversation) for _ in range(per_store))

    threads = [threading.Thread(target=draw, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(tickets) == list(range(len(stores) * per_store))  # Rasa's own: duplicates
    stores[0].delete_lock(conversation)


def test_the_lock_lets_one_turn_in_at_a_time_across_processes(cluster):
    stores, conversation, per_store = lock_stores(cluster), new_sender(), 4
    start = threading.Barrier(len(stores))
    inside: List[Tuple[str, float]] = []
    errors: List[BaseException] = []

    async def turn(store: LoopbrugRedisLockStore) -> None:
        async with store.lock(conversation):
            inside.append(("in", time.monotonic()))
            await asyncio.sleep(0.05)  # a turn: read tracker, predict, save
            inside.append(("out", time.monotonic()))

    def process(store: LoopbrugRedisLockStore) -> None:
        async def turns_at_once() -> None:
            await asyncio.gather(*(turn(store) for _ in range(per_store)))

        start.wait()
        try:
            asyncio.run(turns_at_once())
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=process, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors  # Rasa's own: LockError when a lock is deleted under a waiter
    kinds = [kind for kind, _ in sorted(inside, key=lambda item: item[1])]
    assert kinds == ["in", "out"] * (len(stores) * per_store)  # never two turns at once
    assert stores[0].get_lock(conversation) is None  # the last one out removed the lock


def test_messages_alternating_between_two_rasa_processes_share_one_conversation(cluster):
    sender = new_sender()
    locks_before = cluster.redis.lock_calls()
    sent = [f"/{intent}" for intent in INTENTS[:6]]
    for number, text in enumerate(sent):
        messages = say(cluster.rasa_urls[number % 2], sender, text)
        assert messages[0]["text"] == answer(text)
    for url in cluster.rasa_urls:  # either process shows the whole conversation
        events = tracker_events(url, sender)
        assert [said for said, _ in turns(events)] == sent
        assert_each_message_is_followed_by_its_answer(events)
    assert stored_user_messages(cluster, sender) == sent  # in PostgreSQL, not in a process
    assert cluster.redis.lock_calls() >= locks_before + len(sent)  # the locks were in Redis


def wait_for_turns(url: str, sender: str, count: int, timeout: float = 60) -> list:
    """The tracker once it holds ``count`` finished turns (a slow turn ends in the background)."""
    deadline = time.monotonic() + timeout
    while True:
        events = tracker_events(url, sender)
        said = [e for e in events if e["event"] == "user"]
        finished = (
            events and events[-1]["event"] == "action" and events[-1]["name"] == "action_listen"
        )
        if (len(said) >= count and finished) or time.monotonic() > deadline:
            return events
        time.sleep(0.5)


def test_messages_sent_at_once_to_both_processes_are_answered_one_after_another(cluster):
    sender = new_sender()
    sent = [f"/{intent}" for intent in INTENTS]
    start = threading.Barrier(len(sent))
    replies: Dict[str, Any] = {}

    def send(number: int, text: str) -> None:
        start.wait()
        try:
            replies[text] = say(cluster.rasa_urls[number % 2], sender, text)
        except BaseException as exc:  # noqa: BLE001 (reported by the assertion below)
            replies[text] = exc

    threads = [threading.Thread(target=send, args=item) for item in enumerate(sent)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for text in sent:
        reply = replies.get(text)
        assert isinstance(reply, list), f"{text}: {reply!r}"
        # The messages wait for each other (Rasa's lock); one that waits longer than the
        # channel's SLOW_REPLY_AFTER_S is answered "it takes a bit longer" at once and gets its
        # answer in the conversation when its turn is done (connectors/reliability.py).
        assert reply[0]["text"] in (answer(text), slow_reply()), text

    events = wait_for_turns(cluster.rasa_urls[0], sender, len(sent))
    said = [text for text, _ in turns(events)]
    assert sorted(said) == sorted(sent)  # every message once: none lost, none doubled
    assert_each_message_is_followed_by_its_answer(events)  # turns did not interleave
    assert stored_user_messages(cluster, sender) == said
    assert tracker_events(cluster.rasa_urls[1], sender) == events


def web_session(cluster: Cluster) -> str:
    reply = httpx.post(f"{cluster.web_url}/api/session", timeout=30)
    assert reply.status_code == 200, reply.text
    return reply.json()["session"]


def web_say(cluster: Cluster, session: str, text: str) -> Dict[str, Any]:
    reply = httpx.post(
        f"{cluster.web_url}/api/message", json={"session": session, "message": text}, timeout=90
    )
    assert reply.status_code == 200, reply.text
    return reply.json()


def check_everything_still_works(cluster: Cluster, sender: str, session: str, sent: list) -> None:
    """After a restart or a cut connection: the next message of every kind works, and the
    conversations hold every message, those from before included.

    ``sent``: what ``sender`` said to Rasa so far; the web session said ``WEB_FIRST``.
    """
    more = ["/funding_stap", "/career_advice_free"]
    # Our own tables through the web server: the session check, a new session, the relay.
    assert web_say(cluster, session, more[0])["messages"][0]["text"] == answer(more[0])
    assert web_session(cluster)
    updates = httpx.get(f"{cluster.web_url}/api/updates", params={"session": session}, timeout=30)
    assert updates.status_code == 200, updates.text
    # Rasa's tracker store, through both processes.
    for url, text in zip(cluster.rasa_urls, more):
        assert say(url, sender, text)[0]["text"] == answer(text)
    sent.extend(more)
    for url in cluster.rasa_urls:
        events = tracker_events(url, sender)
        assert [said for said, _ in turns(events)] == sent
        assert_each_message_is_followed_by_its_answer(events)
        # Rasa answers even when it cannot read or write the tracker store (it falls back to
        # memory), so only the stored conversation shows whether a message was lost.
        web_events = tracker_events(url, web_sender(session))
        assert [said for said, _ in turns(web_events)] == [WEB_FIRST, more[0]]
    assert stored_user_messages(cluster, sender) == sent


def test_a_database_restart_between_two_messages_loses_nothing(cluster):
    sender, session = new_sender(), web_session(cluster)
    sent = ["/funding_loan", "/training_routes"]
    for url, text in zip(cluster.rasa_urls, sent):
        say(url, sender, text)
    web_say(cluster, session, WEB_FIRST)

    cluster.postgres.restart()

    check_everything_still_works(cluster, sender, session, sent)


def test_connections_cut_by_the_database_are_replaced(cluster):
    sender, session = new_sender(), web_session(cluster)
    sent = ["/shortage_sectors", "/skills_recognition"]
    for url, text in zip(cluster.rasa_urls, sent):
        say(url, sender, text)
    web_say(cluster, session, WEB_FIRST)
    engine = sa.create_engine(cluster.settings.database_url)
    try:
        with engine.connect() as connection:
            cut = connection.execute(
                sa.text(
                    "select count(pg_terminate_backend(pid)) from pg_stat_activity "
                    "where datname = 'loopbrug' and pid <> pg_backend_pid()"
                )
            ).scalar()
    finally:
        engine.dispose()
    assert cut >= 3  # both Rasa processes and the web server held connections

    check_everything_still_works(cluster, sender, session, sent)
