"""Coach accounts: password hashing (Argon2id, argon2-cffi) and the command to manage them.

    python -m loopbrug.handoff.coaches add --username anna --name Anna --team landelijk \
        [--team geld]
    python -m loopbrug.handoff.coaches list
    python -m loopbrug.handoff.coaches deactivate --username anna     (or: disable)

``deactivate`` ends the coach's sessions, gives their live chats back to the bot (the person
is told) and their open tickets back to their teams' lists (loopbrug/handoff/presence.py;
when Rasa cannot be reached, the web server's job hands the chats back on its next run).
``add`` asks for the password twice (or reads one line from stdin with ``--password-stdin``,
for scripts); running it again for an existing username changes name, teams and password.
The database is DATABASE_URL, as for the rest of the helpline.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import re
import sys
from typing import List, Optional, Tuple

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from loopbrug.handoff import presence, store
from loopbrug.handoff.relay import RasaRelay
from loopbrug.handoff.routing import get_teams
from loopbrug.settings import Settings, load_settings

MIN_PASSWORD_CHARS = 12
USERNAME = re.compile(r"^[a-z0-9._-]{2,80}$")
_HASHER = PasswordHasher()  # argon2-cffi's defaults follow RFC 9106's recommendation


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> Tuple[bool, Optional[str]]:
    """(matches, new hash when the stored one uses older parameters)."""
    try:
        _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False, None
    if _HASHER.check_needs_rehash(password_hash):
        return True, _HASHER.hash(password)
    return True, None


# A hash to verify against when the username does not exist, so a login takes as long for
# an unknown name as for a wrong password (no probing for usernames).
_DUMMY_HASH: Optional[str] = None


def dummy_verify(password: str) -> None:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _HASHER.hash("loopbrug-no-such-coach")
    verify_password(_DUMMY_HASH, password)


def check_new_account(username: str, first_name: str, teams: List[str], password: str) -> None:
    """ValueError with the reason when the account cannot be made."""
    if not USERNAME.match(username):
        raise ValueError("username: 2-80 tekens, kleine letters, cijfers, punt, streepje")
    if not first_name.strip():
        raise ValueError("name: de voornaam die mensen te zien krijgen is verplicht")
    known = get_teams().by_id
    if not teams:
        raise ValueError("team: geef minstens één team (--team)")
    unknown = [t for t in teams if t not in known]
    if unknown:
        raise ValueError(f"team: onbekend {unknown}; bekend zijn {sorted(known)}")
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"wachtwoord: minstens {MIN_PASSWORD_CHARS} tekens")


def add_coach(
    username: str, first_name: str, teams: List[str], password: str, url: Optional[str] = None
) -> store.Coach:
    check_new_account(username, first_name, teams, password)
    return store.save_coach(username, first_name.strip(), teams, hash_password(password), url)


def deactivate(username: str, settings: Optional[Settings] = None) -> int:
    """Turn the account off; returns how many of its tickets went back to their teams.

    ValueError when there is no such coach.
    """
    settings = settings or load_settings()
    url = settings.database_url
    coach = store.coach_by_username(username, url)
    if coach is None or not store.deactivate_coach(username, url):
        raise ValueError(f"geen coach {username!r}")

    async def release() -> int:
        relay = RasaRelay(settings)
        try:
            return await presence.deactivated(relay, coach, url)
        finally:
            await relay.aclose()

    if not store.open_tickets_of(coach.id, url):
        return 0
    # A loop of its own, not asyncio.run: that would drop the caller's current event loop.
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(release())
    finally:
        loop.close()


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Wachtwoord: ")
    if getpass.getpass("Nog een keer: ") != first:
        raise ValueError("de wachtwoorden zijn niet gelijk")
    return first


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loopbrug.handoff.coaches", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="maak of wijzig een coach-account")
    add.add_argument("--username", required=True)
    add.add_argument("--name", required=True, help="voornaam die de persoon ziet")
    add.add_argument("--team", action="append", default=[], help="team-id uit teams.yml")
    add.add_argument("--password-stdin", action="store_true")
    commands.add_parser("list", help="toon alle coaches")
    off = commands.add_parser(
        "deactivate", aliases=["disable"], help="zet een account uit (sessies stoppen)"
    )
    off.add_argument("--username", required=True)
    args = parser.parse_args(argv)

    try:
        if args.command == "add":
            coach = add_coach(
                args.username, args.name, args.team, _read_password(args.password_stdin)
            )
            print(
                f"coach {coach.username} ({coach.first_name}) in team(s) {', '.join(coach.teams)}"
            )
        elif args.command == "list":
            for coach in store.list_coaches():
                state = "actief" if coach.active else "uit"
                print(f"{coach.username}\t{coach.first_name}\t{','.join(coach.teams)}\t{state}")
        elif args.command in ("deactivate", "disable"):
            released = deactivate(args.username)
            print(f"coach {args.username} kan niet meer inloggen")
            if released:
                print(f"{released} ticket(s) terug naar het team")
    except ValueError as error:
        print(f"fout: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
