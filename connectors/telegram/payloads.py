"""Button payloads as Telegram callback_data, which Telegram limits to 64 bytes.

Nearly every payload of the helpline is short (an intent such as ``/request_human``) and goes
to Telegram as it is. A longer one (an intent with entities) is kept in this process under a
short key.

Why not python-telegram-bot's own cache (``ExtBot(arbitrary_callback_data=...)``,
``telegram.ext.CallbackDataCache``), read in the installed PTB 22.8 source:

* It replaces the callback_data of *every* button, short ones too, with random ids
  (``uuid4`` per keyboard and per button, ``CallbackDataCache.process_keyboard``) kept in
  the process's memory. Then every button in every open chat would stop working at each
  restart of the Rasa process (the supervisor restarts it, every deploy does), unless the cache
  is persisted through a PTB ``Application``, which this channel does not run (Rasa's Sanic
  server receives the webhook). Here short payloads keep working after a restart and in any
  process; only the rare long ones expire (the person gets ``channel.telegram_expired_button``).
* Its ids are random, so the same button gets a new key every time it is sent; here the key
  is a hash of the payload, so the same button always gets the same key and the store stays
  small.
* It needs PTB's ``callback-data`` extra (cachetools), which requirements/lock.txt does not pin.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Optional

MAX_CALLBACK_DATA_BYTES = 64  # Telegram's limit for callback_data
STORED_PAYLOADS = 10_000  # long button payloads remembered under a short key


class ButtonPayloads:
    """Button payloads as callback_data; one longer than 64 bytes is kept here under a key.

    The key is a hash of the payload, so the same button always gets the same key. Keys live
    in this process only: after a restart an old long button is no longer known.
    """

    PREFIX = "#b:"

    def __init__(self, max_entries: int = STORED_PAYLOADS) -> None:
        self.max_entries = max_entries
        self._payloads: OrderedDict[str, str] = OrderedDict()

    def callback_data(self, payload: str) -> str:
        """What to put in callback_data for ``payload`` (1 to 64 bytes)."""
        size = len(payload.encode("utf-8"))
        if 0 < size <= MAX_CALLBACK_DATA_BYTES and not payload.startswith(self.PREFIX):
            return payload
        key = self.PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:24]
        self._payloads[key] = payload
        self._payloads.move_to_end(key)
        while len(self._payloads) > self.max_entries:
            self._payloads.popitem(last=False)
        return key

    def payload(self, callback_data: str) -> Optional[str]:
        """The payload behind callback_data; None when a stored one is no longer known."""
        if not callback_data.startswith(self.PREFIX):
            return callback_data
        return self._payloads.get(callback_data)
