"""The crisis line that goes into texts composed in code (the down, unreachable and takeover
messages), where the full crisis answer (utter_crisis in bot/domain/safety.yml) cannot be given.

113 Zelfmoordpreventie: call 113, or 0800-0113 for free, day and night; chat on 113.nl; 112
for direct danger (shared/knowledge/newcomers-facts.md section 6, ACTIVE; checked 2026-12-06).
Whether 113's counsellors speak English is UNVERIFIED there, so the English text does not say so.
"""

CRISIS_HOTLINE = "Denk je aan zelfdoding? Bel dan 113 of gratis 0800-0113."

# Said at once when a person in a coach's conversation writes a crisis message: the coach may
# be reading, but 113 and 112 must not wait for them (connectors/reliability.py).
TAKEOVER_CRISIS = {
    "nl": (
        "Dit is een automatisch bericht van Loopbrug. Je coach leest je bericht. "
        "Denk je aan zelfdoding, of ben je niet veilig? Bel dan nu 113 of gratis 0800-0113, "
        "of chat op 113.nl. Dag en nacht. Bij direct gevaar: bel 112."
    ),
    "en": (
        "This is an automatic message from Loopbrug. Your coach will read your message. "
        "Are you thinking about suicide, or are you not safe? Call 113 or 0800-0113 for free "
        "now, or chat on 113.nl. Day and night. In direct danger: call 112."
    ),
}
