"""Names of things, defined once: the title of a topic (intent), how a person wants to be
contacted, how urgent a ticket is.

They live in ``data/texts/<language>/labels.yml`` as ``<kind>.<name>`` keys, beside the other
texts (loopbrug/texts.py), so a new language translates them with the rest. Each function gives
the name for one use; ``INTENT_LABELS`` is the intent titles as a read-only mapping.
"""

from __future__ import annotations

import functools
from typing import Dict, Iterator, Mapping, Optional

from loopbrug.texts import DEFAULT_LANGUAGE, catalogue

AREA = "labels"


@functools.lru_cache(maxsize=16)
def _kind(kind: str, language: str = DEFAULT_LANGUAGE) -> Dict[str, str]:
    """All labels of one kind ("intent", "contact", ...), by name."""
    prefix = f"{AREA}.{kind}."
    return {
        key[len(prefix) :]: value
        for key, value in catalogue(language).items()
        if key.startswith(prefix)
    }


def intent_titles(language: str = DEFAULT_LANGUAGE) -> Dict[str, str]:
    """Intent -> the title a person reads, for every topic that may be offered on a button."""
    return dict(_kind("intent", language))


def intent_title(intent: str, language: str = DEFAULT_LANGUAGE) -> Optional[str]:
    """The title of a topic a person may be offered ("Opleiding betalen"), or None: an intent
    without a title (greet, affirm, crisis, ...) is never offered as a button."""
    return _kind("intent", language).get(intent)


def topic_title(intent: str, language: str = DEFAULT_LANGUAGE) -> Optional[str]:
    """The name of what a question was about, for the coach's summary: the intent's title, or
    the title of a topic that is never offered on a button (the calculators, a crisis)."""
    return intent_title(intent, language) or _kind("topic", language).get(intent)


def contact_label(channel: str, language: str = DEFAULT_LANGUAGE) -> str:
    """A contact channel (chat, telefoon, email) as a label in the coach inbox ("Telefoon")."""
    return _kind("contact", language).get(channel, channel)


def contact_wish(channel: str, language: str = DEFAULT_LANGUAGE) -> str:
    """A contact channel as the wish in the coach's summary ("bellen")."""
    return _kind("contact_wish", language).get(channel, channel)


def contact_way(channel: str, language: str = DEFAULT_LANGUAGE) -> str:
    """A contact channel as a sentence to the person says it ("per telefoon"); empty when
    the channel is unknown."""
    return _kind("contact_way", language).get(channel, "")


def urgency_label(urgency: int, language: str = DEFAULT_LANGUAGE) -> str:
    """A ticket's urgency (1 crisis, 2 acute debts, 3 normal) as a label in the coach inbox."""
    return _kind("urgency", language).get(str(urgency), str(urgency))


def urgency_notice(urgency: int, language: str = DEFAULT_LANGUAGE) -> str:
    """A ticket's urgency in the words of the coaches' notice ("CRISIS, met voorrang")."""
    return _kind("urgency_notice", language).get(str(urgency), str(urgency))


class _IntentTitles(Mapping[str, str]):
    """The intent titles as a mapping, read from the texts on first use (not on import)."""

    def __getitem__(self, intent: str) -> str:
        return _kind("intent")[intent]

    def __iter__(self) -> Iterator[str]:
        return iter(_kind("intent"))

    def __len__(self) -> int:
        return len(_kind("intent"))

    def __repr__(self) -> str:
        return f"INTENT_LABELS({dict(_kind('intent'))!r})"


# Intent -> title (Dutch), for code that reads the titles as a mapping.
INTENT_LABELS: Mapping[str, str] = _IntentTitles()
