"""``python -m connectors.telegram --polling`` or ``--set-webhook URL`` (see cli.py)."""

from connectors.telegram.cli import main

main()
