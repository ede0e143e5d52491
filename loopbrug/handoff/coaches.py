"""Coach accounts: password hashing (Argon2id, argon2-cffi) and the command to manage them.

    python -m loopbrug.handoff.coaches add --username anna --name Anna --team landelijk \
        [--team geld]
    python -m loopbrug.handoff.coaches list
    python -m loopbrug.handoff.coaches deactivate --username anna

``add`` asks for the password twice (or reads one line from stdin with ``--password-stdin``,
for scripts); running it again for an existing username changes name, teams and password.
The database is DATABASE_URL, as for the rest of the helpline.
"""

from __future__ import annotations

import argparse
import getpass
import re
import sys
from typing import List, Optional, Tuple

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from loopbrug.handoff import store
from loopbrug.handoff.routing import get_teams

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
    off = commands.add_parser("deactivate", help="zet een account uit (sessies stoppen)")
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
        elif args.command == "deactivate":
            if not store.deactivate_coach(args.username):
                raise ValueError(f"geen coach {args.username!r}")
            print(f"coach {args.username} kan niet meer inloggen")
    except ValueError as error:
        print(f"fout: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
