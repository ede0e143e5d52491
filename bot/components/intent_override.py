"""One way for our rule components to overrule the classifier's intent.

The crisis guard, the gibberish guard and the place-only rule each replace the intent with a
certain one (confidence 1.0) and keep the classifier's ranking below it, without the names
they replace. Written once here so the three cannot drift apart.
"""

from __future__ import annotations

from typing import Iterable

from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message


def overrule_intent(message: Message, name: str, drop: Iterable[str] = ()) -> None:
    """Make ``name`` the message's intent; the ranking keeps the rest, minus ``drop``."""
    dropped = {name, *drop}
    ranking = [
        item
        for item in message.get(INTENT_RANKING_KEY) or []
        if item.get(INTENT_NAME_KEY) not in dropped
    ]
    chosen = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0}
    message.set(INTENT, dict(chosen), add_to_output=True)
    message.set(INTENT_RANKING_KEY, [dict(chosen), *ranking], add_to_output=True)
