"""A trigger's EventBridge event pattern and input mapping.

Mistral's fields become a pattern on the event's envelope: ``exchange`` is the
``source``, ``event`` the ``detail-type`` (``topic`` has no EventBridge counterpart:
it is kept and shown, and matches nothing). Two optional keys of the trigger's
``workflow_params`` say more, and are not passed to the execution:

- ``event_pattern``: an EventBridge pattern (object) merged over that one, key by key
  (``{"detail": {"total": [{"numeric": [">", 100]}]}}``, or a ``source`` that replaces
  the exchange);
- ``event_input``: ``{input name: JSONPath into the event}`` (jsonpath-ng, ``$`` for
  the whole event), the workflow input taken from each event on top of
  ``workflow_input``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Mapping

PATTERN_KEY = "event_pattern"
INPUT_KEY = "event_input"
RESERVED = (PATTERN_KEY, INPUT_KEY)


class TriggerConfigError(ValueError):
    """A trigger's pattern or input mapping cannot be used (message for a 400)."""


def _json_object(value: Any, key: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise TriggerConfigError(f"workflow_params.{key} is not JSON: {exc}") from None
    if not isinstance(value, dict) or not value:
        raise TriggerConfigError(f"workflow_params.{key} must be a non-empty JSON object, got {value!r}")
    return value


def _check_pattern(node: Mapping[str, Any], path: str) -> None:
    """EventBridge's shape: every value an object (a nested field) or a list of matchers."""
    for key, value in node.items():
        where = f"{path}.{key}" if path else str(key)
        if isinstance(value, dict):
            if not value:
                raise TriggerConfigError(f"workflow_params.{PATTERN_KEY}: {where} is an empty object")
            _check_pattern(value, where)
        elif isinstance(value, list):
            if not value:
                raise TriggerConfigError(f"workflow_params.{PATTERN_KEY}: {where} is an empty list "
                                         "(it would match nothing)")
        else:
            raise TriggerConfigError(f"workflow_params.{PATTERN_KEY}: {where} must be a list of values "
                                     f"or an object, got {value!r}")


def event_pattern(exchange: str, event: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The trigger's EventBridge pattern: source = exchange, detail-type = event, then
    ``event_pattern``'s keys over them."""
    pattern: dict[str, Any] = {"source": [exchange], "detail-type": [event]}
    explicit = _json_object(params.get(PATTERN_KEY), PATTERN_KEY)
    if explicit is not None:
        _check_pattern(explicit, "")
        pattern.update(explicit)
    return pattern


@lru_cache(maxsize=512)
def compiled(path: str) -> Any:
    """A JSONPath (jsonpath-ng with its extensions: filters, arithmetic), parsed once."""
    from jsonpath_ng.ext import parse

    return parse(path)


def input_mapping(params: Mapping[str, Any]) -> dict[str, str]:
    """``event_input``, each path checked; {} when absent."""
    mapping = _json_object(params.get(INPUT_KEY), INPUT_KEY)
    if mapping is None:
        return {}
    for name, path in mapping.items():
        if not isinstance(path, str) or not path.strip():
            raise TriggerConfigError(f"workflow_params.{INPUT_KEY}.{name} must be a JSONPath text, got {path!r}")
        try:
            compiled(path.strip())
        except Exception as exc:  # jsonpath-ng raises several types
            raise TriggerConfigError(f"workflow_params.{INPUT_KEY}.{name}: invalid JSONPath {path!r}: {exc}") \
                from None
    return {str(k): v.strip() for k, v in mapping.items()}


def execution_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The params an execution of the trigger gets: the trigger's, less its own keys."""
    return {k: v for k, v in params.items() if k not in RESERVED}
