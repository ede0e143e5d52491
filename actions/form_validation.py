"""One validator for all slots of a form whose questions are data.

rasa-sdk's FormValidationAction looks up a ``validate_<slot>`` method for every slot. The
self-test, the money check and the calculators ask many questions that are read the same
way, so instead of one method per question they share this mixin: any ``validate_<slot>``
the form handles goes to ``validate_slot(slot, value, dispatcher, tracker, domain)``, after
two checks they all need: a slot cleared by the form's start action is not an answer (no
"Ik zie geen bedrag" for it), and a button payload of another flow is never taken as one.
It is a mixin, not an Action, because rasa-sdk registers every Action subclass by name.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Callable


class OneValidatorForAllSlots:
    """Mixin for FormValidationAction; subclasses define ``handles`` and ``validate_slot``."""

    def handles(self, slot: str) -> bool:
        """True for the slots that ``validate_slot`` reads."""
        raise NotImplementedError

    def validate_slot(self, slot: str, value: Any, dispatcher, tracker, domain) -> dict:
        """The slot update for one reply (see FormValidationAction's validate_<slot>)."""
        raise NotImplementedError

    def __getattr__(self, attribute: str) -> Callable[..., dict]:
        slot = attribute.removeprefix("validate_")
        if attribute.startswith("validate_") and self.handles(slot):
            return partial(self._validate, slot)
        raise AttributeError(attribute)

    def _validate(self, slot: str, value: Any, dispatcher, tracker, domain) -> dict:
        if value is None:
            # A slot the form's start action cleared, not something the person said: without
            # this, starting the money check answered nine "Ik zie geen bedrag" lines at once.
            return {slot: None}
        if isinstance(value, str) and value.strip().startswith("/"):
            # A button of another flow ("Verder met de test") is not an answer: leave the slot
            # empty, so the form asks its question again.
            return {slot: None}
        return self.validate_slot(slot, value, dispatcher, tracker, domain)
