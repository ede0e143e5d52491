"""``python -m loopbrug.db upgrade|current|revision -m "..."`` on the database of DATABASE_URL."""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from loopbrug.db import get_engine, migrate


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loopbrug.db", description=__doc__)
    parser.add_argument("command", choices=["upgrade", "current", "revision"])
    parser.add_argument("-m", "--message", help="what the new migration changes (revision)")
    parser.add_argument("--url", help="a database URL instead of DATABASE_URL")
    args = parser.parse_args(argv)
    engine = get_engine(args.url)  # get_engine upgrades on first use
    if args.command == "current":
        print(migrate.current(engine) or "none")
    elif args.command == "revision":
        if not args.message:
            parser.error("revision needs -m/--message")
        migrate.revision(engine, args.message)
    else:
        print(f"at {migrate.current(engine)} (newest: {migrate.head()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
