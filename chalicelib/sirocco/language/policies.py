"""Task policies: retry, wait-before, wait-after, timeout, pause-before,
concurrency, fail-on, and how task-defaults fill them in.

Values stay raw (int/bool or an expression string); the engine evaluates
expressions when the task runs.
"""

from __future__ import annotations

from typing import Any, Callable

from . import checks
from .errors import Errors, Where
from .inline import parse_inline
from .specs import RetrySpec
from .yaml_loader import YMap, line_of

Check = Callable[[Any, Where, Errors, "int | None"], Any]

# attribute name -> (spec field, checker)
POLICIES: dict[str, tuple[str, Check]] = {
    "wait-before": ("wait_before", checks.count_or_expression),
    "wait-after": ("wait_after", checks.count_or_expression),
    "timeout": ("timeout", checks.count_or_expression),
    "concurrency": ("concurrency", checks.count_or_expression),
    "pause-before": ("pause_before", checks.bool_or_expression),
    "fail-on": ("fail_on", checks.bool_or_expression),
}

_RETRY_KEYS = frozenset({"count", "delay", "break-on", "continue-on"})


def parse_policies(body: YMap, where: Where, errors: Errors) -> dict[str, Any]:
    """Spec field name -> raw value, for the policy attributes present in ``body``."""
    result: dict[str, Any] = {}
    for attribute, (field_name, check) in POLICIES.items():
        if attribute in body:
            result[field_name] = check(body[attribute], where.at(attribute), errors, line_of(body, attribute))
    if "retry" in body:
        result["retry"] = parse_retry(body["retry"], where.at("retry"), errors, line_of(body, "retry"))
    return result


def parse_retry(value: Any, where: Where, errors: Errors, line: int | None) -> RetrySpec | None:
    """A mapping, or the one-line form ``count=3 delay=1 break-on=<% ... %>``."""
    if isinstance(value, str):
        parsed = parse_inline(value, with_command=False)
        for problem in parsed.problems:
            errors.add(where, problem, line)
        fields: dict[str, Any] = parsed.params
        lines: dict[str, int | None] = {}
        for key in fields:
            if key not in _RETRY_KEYS:
                errors.add(where, f"unknown retry parameter {key!r}; allowed: {', '.join(sorted(_RETRY_KEYS))}", line)
    elif isinstance(value, dict):
        fields = value
        lines = value.key_lines if isinstance(value, YMap) else {}
        if isinstance(value, YMap):
            checks.unknown_keys(value, _RETRY_KEYS, where, errors, "retry")
    else:
        errors.add(where, f"must be a mapping or 'count=N delay=N ...', got {checks.describe(value)}", line)
        return None
    ok = True
    for required in ("count", "delay"):
        if required not in fields:
            errors.add(where, f"'{required}' is required", line)
            ok = False
    count = delay = None
    if "count" in fields:
        count = checks.count_or_expression(fields["count"], where.sub("count"), errors, lines.get("count", line))
    if "delay" in fields:
        delay = checks.count_or_expression(fields["delay"], where.sub("delay"), errors, lines.get("delay", line))
    break_on = continue_on = None
    if "break-on" in fields:
        break_on = checks.expression(fields["break-on"], where.sub("break-on"), errors, lines.get("break-on", line))
    if "continue-on" in fields:
        continue_on = checks.expression(
            fields["continue-on"], where.sub("continue-on"), errors, lines.get("continue-on", line)
        )
    if not ok or count is None or delay is None:
        return None
    return RetrySpec(count=count, delay=delay, break_on=break_on, continue_on=continue_on)


def with_default(own: Any, default: Any) -> Any:
    """Mistral applies a task-defaults policy when the task's own value is absent
    or inactive (0, false): a task cannot switch a default policy off."""
    if own or default is None:
        return own
    return default
