"""How the Rasa process starts: Rasa's own command line, with our extensions and API token.

``bot/serve.py`` (so `make run`, the tests and the benchmark) starts Rasa as
``python -m bot.rasa_server run ...``. Before Rasa's command line runs, this:

* checks every Rasa extension against the installed Rasa and applies the patches
  (bot/extensions/): once, in this process only, never from a channel;
* adds ``--auth-token`` from ``RASA_API_TOKEN`` to ``sys.argv`` inside the process.
  ``rasa run --auth-token X`` would put the token on the command line, where every local user
  reads it with ``ps``; this changes what Rasa's argument parser reads but not the process's
  visible command line.
"""

from __future__ import annotations

import os
import sys
from typing import List, Optional

from loopbrug.settings import Settings, load_settings


def rasa_argv(argv: List[str], settings: Settings) -> List[str]:
    """Rasa's arguments, with ``--auth-token`` added to ``run`` when a token is set."""
    if settings.rasa_api_token and argv[1:2] == ["run"]:
        return [*argv, "--auth-token", settings.rasa_api_token]
    return list(argv)


def main(settings: Optional[Settings] = None) -> None:
    """Apply the extensions, then run Rasa's command line."""
    settings = settings or load_settings()
    # Rasa quiets TensorFlow's C++ log before TensorFlow's first import
    # (rasa.utils.common.update_tensorflow_log_level); the patches import it earlier.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from bot import extensions

    extensions.apply(settings)
    sys.argv = rasa_argv(sys.argv, settings)
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
