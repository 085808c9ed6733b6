"""A JSON request body read as Mistral's wsme resources read it.

Environments and triggers are created from a JSON object whose attributes are
the resource's fields. wsme refuses an unknown attribute, a value of the wrong
type, a JSON-typed field (``variables``, ``workflow_input``...) that is not an
object or JSON text of one, a scope other than private/public; the messages
here are wsme's, so that a client sees the same ``faultstring``. A ``null``
attribute counts as not given.
"""

from __future__ import annotations

import json
import re
from typing import Any, Mapping

from .errors import bad_request

TEXT, JSON, SCOPE, COUNT, UUID, READ_ONLY = "text", "json", "scope", "count", "uuid", "read-only"
_UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")
_PY_TYPES = {str: "<class 'str'>", int: "<class 'int'>", float: "<class 'float'>", bool: "<class 'bool'>",
             list: "<class 'list'>", dict: "<class 'dict'>"}


def read(body: Mapping[str, Any], argument: str, fields: Mapping[str, str]) -> dict[str, Any]:
    """The given attributes, checked and converted (JSON fields to dicts);
    ``argument`` is the name wsme gives the body in its messages."""
    unknown = [name for name in body if name not in fields]
    if unknown:
        raise bad_request(f"Unknown attribute for argument {argument}: {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for name, value in body.items():
        if value is None:
            continue
        kind = fields[name]
        if kind == JSON:
            values[name] = _json(value, name, argument, body)
        elif kind == SCOPE:
            if value not in ("private", "public"):
                raise bad_request(f"Invalid input for field/attribute scope. Value: '{value}'. "
                                  "Value should be one of: private, public")
            values[name] = value
        elif kind == COUNT:
            values[name] = _count(value, name, argument, body)
        elif kind == UUID:
            text = text_value(value, name)
            if not _UUID.match(text):
                raise bad_request(f"Expected a uuid but received {text}.")
            values[name] = text
        elif kind == TEXT:
            values[name] = text_value(value, name)
        else:
            values[name] = value
    return values


def _type_name(value: Any) -> str:
    return _PY_TYPES.get(type(value), f"<class '{type(value).__name__}'>")


def text_value(value: Any, name: str) -> str:
    """``value`` of a text attribute ``name``; 400 in wsme's words if it is not a string."""
    if not isinstance(value, str):
        raise bad_request(f"Invalid input for field/attribute {name}. Value: '{value}'. Wrong type. "
                          f"Expected '<class 'str'>', got '{_type_name(value)}'")
    return value


def _json(value: Any, name: str, argument: str, body: Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise bad_request(f"Invalid input for field/attribute {argument}. Value: '{dict(body)}'. {exc}") from None
    if not isinstance(value, dict):
        raise bad_request(f"JsonType field value must be a dictionary [actual={value}]")
    return value


def _count(value: Any, name: str, argument: str, body: Mapping[str, Any]) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise bad_request(f"Invalid input for field/attribute {name}. Value: '{value}'. Wrong type. "
                          f"Expected '<class 'int'>', got '{_type_name(value)}'")
    try:
        number = int(value)
    except ValueError as exc:
        raise bad_request(f"Invalid input for field/attribute {argument}. Value: '{dict(body)}'. {exc}") from None
    if number < 1:
        raise bad_request(f"Invalid input for field/attribute {name}. Value: '{number}'. "
                          "Value should be greater or equal to 1")
    return number
