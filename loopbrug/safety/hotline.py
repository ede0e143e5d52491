"""The crisis line that goes into texts composed in code (the down, unreachable and takeover
messages), where the full crisis answer (utter_crisis in bot/domain/safety.yml) cannot be given.

The words are texts of data/texts/<language>/crisis.yml (``hotline``, ``takeover``).
113 Zelfmoordpreventie: call 113, or 0800-0113 for free, day and night; chat on 113.nl; 112
for direct danger (shared/knowledge/newcomers-facts.md section 6, ACTIVE; checked 2026-12-06).
Whether 113's counsellors speak English is UNVERIFIED there, so the English text does not say so.
"""

from __future__ import annotations

from loopbrug.texts import DEFAULT_LANGUAGE, has, text


def hotline() -> str:
    """The one sentence with 113 and 0800-0113 (Dutch: the texts it goes into are Dutch)."""
    return text("crisis.hotline")


def takeover_crisis(language: str = DEFAULT_LANGUAGE) -> str:
    """Said at once when a person in a coach's conversation writes a crisis message: the coach
    may be reading, but 113 and 112 must not wait for them (connectors/reliability.py). In the
    message's language when there is a text for it, else in Dutch."""
    if not has("crisis.takeover", language):
        language = DEFAULT_LANGUAGE
    return text("crisis.takeover", language)
