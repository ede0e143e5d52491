"""The knowledge engine: question units as data, matched to what a person asked.

- ``units``: the schema and loading (``data/knowledge/units/*.yml``).
- ``check``: schema, source, date and plain-language checks.
- ``retrieve``: picks the unit that answers a message, keeping the topic for follow-ups.
- ``nlu``: the units' phrasings as Rasa NLU training data for their catalogue intent.

No Rasa imports anywhere in this package (docs/architecture.md).
"""
