"""fn.text_transform: apply text operations in order and return the text.

    action: fn.text_transform text=<% $.title %> operations=[squeeze, slug]

``operations`` is a list of names (default ``[strip]``): strip, squeeze (runs of
white space become one space), upper, lower, title, reverse, slug (lower-case
ASCII words joined by ``-``). An unknown name fails the task with the error
value ``{"unknown_operation": name, "known": [...]}``; a ``text`` that is not a
string fails it with a message.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Callable

from sirocco_function import ActionFailed, action_function


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))


OPERATIONS: dict[str, Callable[[str], str]] = {
    "strip": str.strip,
    "squeeze": lambda text: " ".join(text.split()),
    "upper": str.upper,
    "lower": str.lower,
    "title": str.title,
    "reverse": lambda text: text[::-1],
    "slug": _slug,
}


@action_function
def handler(input: dict[str, Any], context: dict[str, Any]) -> str:
    text = input.get("text")
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    operations = input.get("operations")
    if isinstance(operations, str):
        operations = [operations]
    if not isinstance(operations, list):
        raise ActionFailed({"invalid_operations": operations, "known": sorted(OPERATIONS)})
    for name in operations:
        operation = OPERATIONS.get(name) if isinstance(name, str) else None
        if operation is None:
            raise ActionFailed({"unknown_operation": name, "known": sorted(OPERATIONS)})
        text = operation(text)
    return text
