"""Money: reading amounts, the calculators and the money check, apart from Rasa.

- ``amounts``: Dutch amounts, counts and years read from what a person types; euros and
  months written the Dutch way; the coarse range stored instead of an amount.
- ``calculators/``: one module per calculator (transition, gap, buffer).
- ``check``: the money check's answers, traffic light, storable outcome and next steps.
- ``debts``: what a message says about debts (acute threat, arrears, nothing).
- ``registry``: every money form with its slots, how each answer is read, and whether a coach
  may see what was typed in it (:func:`registry.private_forms`).

Sentences a person reads are in data/texts/nl/money.yml, looked up by key.
"""
