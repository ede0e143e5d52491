"""Rasa checks action server replies with a validator built once, not one per reply.

Rasa checks every reply of the action server with ``jsonschema.validate(result, schema)``
(``RemoteAction._validate_action_result``). That call checks the schema itself again and
builds a new validator every time: about 30 ms per custom action here, and 40-57 % of the
Rasa process's CPU under load (py-spy, `make bench`). We build the validator once from the
same schema; replies are checked exactly as before and a bad reply raises the same error.
"""

from __future__ import annotations

import functools
from typing import Any, Dict

from bot.extensions import require_rasa

# Written for Rasa 3.6.21: replaces RemoteAction._validate_action_result, which RemoteAction.run
# calls with the reply, and adds the error text it adds; the schema comes from Rasa's own
# RemoteAction.action_response_format_spec(). Another Rasa may check replies differently.
RASA_VERSION = "3.6.21"


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def apply() -> None:
    """Let Rasa validate action server replies with a validator built once."""
    require_rasa(RASA_VERSION, __name__)
    from jsonschema import ValidationError
    from rasa.core.actions import action as rasa_action

    def validate_action_result(self: Any, result: Dict[str, Any]) -> bool:
        try:
            _validator().validate(result)
            return True
        except ValidationError as error:  # the same message Rasa adds
            error.message += (
                ". Failed to validate Action server response from API, make sure your "
                "response from the Action endpoint is valid. For more information about the "
                f"format visit {rasa_action.DOCS_BASE_URL}/custom-actions"
            )
            raise error

    rasa_action.RemoteAction._validate_action_result = validate_action_result
