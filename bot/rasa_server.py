"""Rasa's own command line, with the HTTP API token taken from the environment.

``rasa run --auth-token X`` puts the token on the command line, where every local user reads
it with ``ps``. ``bot/serve.py`` starts Rasa as ``python -m bot.rasa_server run ...`` instead:
the token comes from ``RASA_API_TOKEN`` and is added to ``sys.argv`` inside the process, which
changes what Rasa's argument parser reads but not the process's visible command line.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Run Rasa's command line with ``--auth-token`` from the environment."""
    token = os.environ.get("RASA_API_TOKEN", "").strip()
    if token and "run" in sys.argv[1:2]:
        sys.argv += ["--auth-token", token]
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
