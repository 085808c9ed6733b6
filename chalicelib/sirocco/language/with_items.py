"""``with-items``: one or several ``var in <source>`` clauses.

The source is an expression (evaluated at run time to a list) or a literal
JSON list such as ``[1, 2, 3]``. Unlike Mistral, trailing text after the
source is an error rather than ignored.
"""

from __future__ import annotations

import json
import re
from typing import Any

from . import checks
from .errors import Errors, Where
from .specs import WithItem
from .yaml_loader import line_of

_CLAUSE = re.compile(r"\s*([\w-]+)\s+in\s+(.*?)\s*\Z", re.DOTALL)
_HELP = "write 'var in <% $.list %>' or 'var in [1, 2, 3]'"


def parse_with_items(value: Any, where: Where, errors: Errors, line: int | None) -> tuple[WithItem, ...]:
    if isinstance(value, str):
        items = [(value, line)]
    elif isinstance(value, list) and value:
        items = [(item, line_of(value, i, line)) for i, item in enumerate(value)]
    else:
        errors.add(where, f"must be 'var in <source>' or a non-empty list of them, got {checks.describe(value)}", line)
        return ()
    result: list[WithItem] = []
    for item, item_line in items:
        parsed = _clause(item, where, errors, item_line)
        if parsed is None:
            continue
        if any(existing.var == parsed.var for existing in result):
            errors.add(where, f"variable {parsed.var!r} is used twice", item_line)
            continue
        result.append(parsed)
    return tuple(result)


def _clause(item: Any, where: Where, errors: Errors, line: int | None) -> WithItem | None:
    if not isinstance(item, str):
        errors.add(where, f"each entry must be a string like 'x in <% $.list %>', got {checks.describe(item)}", line)
        return None
    match = _CLAUSE.match(item)
    if match is None:
        errors.add(where, f"{item!r} is malformed; {_HELP}", line)
        return None
    var, source = match.groups()
    if checks.is_expression(source):
        checks.check_string_expressions(source, where, errors, line)
        return WithItem(var, source)
    if source.startswith("["):
        try:
            items = json.loads(source)
        except ValueError as exc:
            errors.add(where, f"{source!r} is not a valid JSON list ({exc.msg}); {_HELP}", line)
            return None
        if not isinstance(items, list):
            errors.add(where, f"{source!r} is not a list; {_HELP}", line)
            return None
        checks.data(items, where, errors, line)
        return WithItem(var, items)
    errors.add(where, f"{item!r}: the source must be an expression or a JSON list; {_HELP}", line)
    return None
