"""Declared inputs of workflows and ad-hoc actions: ``[a, b, {c: default}]``."""

from __future__ import annotations

from typing import Any

from . import checks
from .errors import Errors, Where
from .specs import InputParam
from .yaml_loader import line_of


def parse_input_params(value: Any, where: Where, errors: Errors, line: int | None) -> tuple[InputParam, ...]:
    if not isinstance(value, list) or not value:
        errors.add(where, f"must be a non-empty list of names and {{name: default}} entries, got {checks.describe(value)}", line)
        return ()
    result: list[InputParam] = []
    seen: set[str] = set()
    for i, item in enumerate(value):
        item_line = line_of(value, i, line)
        if isinstance(item, str) and item:
            param = InputParam(item)
        elif isinstance(item, dict) and len(item) == 1:
            (name, default), = item.items()
            if not isinstance(name, str) or not name:
                errors.add(where, f"an input name must be a non-empty string, got {checks.describe_name(name)}", item_line)
                continue
            param = InputParam(name, checks.data(default, where, errors, item_line, name), required=False)
        else:
            errors.add(where, f"each entry must be a name or a one-key {{name: default}} mapping, got {checks.describe(item)}", item_line)
            continue
        if param.name in seen:
            errors.add(where, f"input {param.name!r} is declared twice", item_line)
            continue
        seen.add(param.name)
        result.append(param)
    return tuple(result)
