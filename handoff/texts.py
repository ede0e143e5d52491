"""What the person reads when a coach joins or leaves the chat (B1 Dutch)."""

from __future__ import annotations


def takeover(coach: str, team: str) -> str:
    return (
        f"Je praat nu met {coach}, coach van {team}. "
        f"{coach} is een mens en leest je berichten zelf. Je kunt gewoon typen."
    )


def handback(coach: str) -> str:
    return (
        f"{coach} heeft het gesprek teruggegeven. Je praat nu weer met Loopbrug, "
        "de digitale assistent. Wil je later weer een mens spreken? Typ dan 'coach'."
    )
