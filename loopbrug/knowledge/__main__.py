"""Command line: ``check`` validates the knowledge base; ``nlu OUT`` writes training data."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List, Optional

from loopbrug.knowledge.check import domain_intents, validate
from loopbrug.knowledge.units import get_knowledge_base, read_raw


def main(argv: Optional[List[str]] = None) -> int:
    """Run one command; the exit code is 1 when the check finds problems."""
    parser = argparse.ArgumentParser(prog="python -m loopbrug.knowledge")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="validate every unit and print each problem")
    nlu = commands.add_parser("nlu", help="write the units' phrasings as NLU training data")
    nlu.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    if args.command == "check":
        raws = [raw for _, raw in read_raw()]
        steps = set(get_knowledge_base().texts.get("next_steps", {}))
        errors = validate(raws, domain_intents(), steps)
        for line in errors:
            print(line)
        terms = sum(1 for raw in raws if raw.get("term"))
        print(f"{len(raws)} units ({terms} glossary terms), {len(errors)} problems")
        return 1 if errors else 0
    from loopbrug.knowledge.nlu import write_training_data

    count = write_training_data(get_knowledge_base(), args.out)
    print(f"wrote {count} examples to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
