"""Where the expressions are in a string, by Mistral's rules.

Mistral finds ``<% ... %>`` and ``{{ ... }}`` / ``{% ... %}`` with non-greedy regular
expressions that do not cross a line break: ``"<%\\n $.a %>"`` is plain text for
Mistral, and so it is here. A string with both kinds is refused (Mistral refuses it
at upload: "Mixing expression types in a single line is not allowed").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

YAQL = "yaql"
JINJA = "jinja"

YAQL_PATTERN = re.compile(r"<%(.*?)%>")
JINJA_EXPRESSION_PATTERN = re.compile(r"{{(.*?)}}")
JINJA_BLOCK_PATTERN = re.compile(r"{%(.*?)%}")


def has_yaql(text: str) -> bool:
    return YAQL_PATTERN.search(text) is not None


def has_jinja(text: str) -> bool:
    return JINJA_EXPRESSION_PATTERN.search(text) is not None or JINJA_BLOCK_PATTERN.search(text) is not None


def languages_in(text: str) -> tuple[str, ...]:
    """The expression languages a string uses: (), ("yaql",), ("jinja",) or both."""
    return tuple(name for name, found in ((JINJA, has_jinja(text)), (YAQL, has_yaql(text))) if found)


def has_expressions(value: Any) -> bool:
    """Does a string, or any string value inside nested dicts/lists, hold an expression?

    Dict keys are not looked at: Mistral never evaluates them.
    """
    if isinstance(value, str):
        return has_yaql(value) or has_jinja(value)
    if isinstance(value, Mapping):
        return any(has_expressions(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(has_expressions(v) for v in value)
    return False


def whole_yaql(text: str) -> str | None:
    """The inside of ``<% %>`` when the string is exactly one YAQL expression, else None."""
    match = YAQL_PATTERN.match(text)
    return match.group(1) if match is not None and match.end() == len(text) else None


def whole_jinja(text: str) -> str | None:
    """The inside of ``{{ }}`` when the first ``{{ }}`` is the whole string, else None."""
    match = JINJA_EXPRESSION_PATTERN.search(text)
    return match.group(1) if match is not None and match.group(0) == text else None
