"""Expressions: YAQL `<% %>` and Jinja2 `{{ }}` / `{% %}` inside workflow text.

Interface used by the language layer (parse time) and the engine (run time):

- ``has_expressions(value)``: does a string (or nested data) hold any expression?
- ``syntax_errors(text)``: one message per malformed expression in a string, empty if all parse.

This first version only checks syntax; evaluation arrives with the expressions work.
"""

from __future__ import annotations

import collections.abc  # noqa: F401  yaql 3.2 uses collections.abc without importing it
import re
from typing import Any

import jinja2
import jinja2.sandbox
import yaql
from yaql.language import exceptions as yaql_exceptions

YAQL_PATTERN = re.compile(r"<%(.*?)%>", re.DOTALL)
JINJA_PATTERN = re.compile(r"{{.*?}}|{%.*?%}", re.DOTALL)

_yaql_engine = yaql.YaqlFactory().create()
_jinja_env = jinja2.sandbox.SandboxedEnvironment()


def has_expressions(value: Any) -> bool:
    if isinstance(value, str):
        return bool(YAQL_PATTERN.search(value) or JINJA_PATTERN.search(value))
    if isinstance(value, dict):
        return any(has_expressions(k) or has_expressions(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(has_expressions(v) for v in value)
    return False


def syntax_errors(text: str) -> list[str]:
    errors = []
    for match in YAQL_PATTERN.finditer(text):
        source = match.group(1).strip()
        try:
            _yaql_engine(source)
        except yaql_exceptions.YaqlException as exc:
            errors.append(f"invalid YAQL expression <% {source} %>: {exc}")
    if JINJA_PATTERN.search(text):
        try:
            _jinja_env.parse(text)
        except jinja2.TemplateSyntaxError as exc:
            errors.append(f"invalid Jinja2 expression {text!r}: {exc.message}")
    return errors
