"""Mistral's cron patterns (5 fields, croniter's meaning) in EventBridge's syntax.

``to_eventbridge(pattern)`` answers a ``cron(...)`` expression that fires at
exactly the times croniter computes for ``pattern``, or None where the two
syntaxes cannot say the same thing; a trigger with such a pattern is fired by
one-time schedules chained with croniter instead (``triggers``).

The fields are read with croniter itself (its ``expanded`` value lists), so
names, ranges, steps and ``7`` for Sunday mean what Mistral means by them,
and written back as plain lists and ranges, which EventBridge reads the same
way. The differences handled:

- EventBridge wants ``?`` in one day field: a day-of-month of ``*`` becomes
  ``?`` when the day-of-week is restricted, a day-of-week of ``*`` becomes ``?``;
- day-of-week counts 1 = Sunday (croniter 0 = Sunday): numbers move up by one;
- a sixth field ``year`` is ``*``.

Left to chaining (None): both day fields restricted (croniter fires on either,
EventBridge cannot express an OR; unless one of them lists every day), ``#`` and ``L`` in the day-of-week, ``L``
mixed with days of the month, seconds (a sixth croniter field), hashed ``H``
fields, anything croniter does not read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Sequence

from croniter import croniter

#: Mistral's pattern for a trigger given only a first execution time (February 30th)
NEVER = "0 0 30 2 0"
_EVERY_DAY = list(range(1, 32))
_EVERY_WEEKDAY = list(range(0, 7))


def next_time(pattern: str, after: dt.datetime) -> dt.datetime:
    """The first time ``pattern`` fires after ``after`` (naive UTC), by croniter."""
    return croniter(pattern, after).get_next(dt.datetime)


def _listed(values: Sequence[int]) -> str:
    """``0,1,2,3,7,9,10,11`` as ``0-3,7,9-11``."""
    ordered = sorted(set(values))
    parts: list[str] = []
    start = prev = ordered[0]
    for value in [*ordered[1:], None]:
        if value is not None and value == prev + 1:
            prev = value
            continue
        parts.append(str(start) if start == prev else f"{start},{prev}" if prev == start + 1 else f"{start}-{prev}")
        if value is not None:
            start = prev = value
    return ",".join(parts)


def _field(values: list[Any], shift: int = 0) -> str | None:
    """A croniter value list as an EventBridge field; None for what is not plain numbers."""
    if values == ["*"]:
        return "*"
    if not all(isinstance(v, int) for v in values):
        return None
    return _listed([v + shift for v in values])


def to_eventbridge(pattern: str) -> str | None:
    """``cron(...)`` firing exactly when croniter fires ``pattern``, or None (chain)."""
    if len(pattern.split()) != 5 or pattern == NEVER:
        return None
    try:
        parsed = croniter(pattern)
    except Exception:  # noqa: BLE001 - croniter raises several kinds; not translatable either way
        return None
    if getattr(parsed, "nth_weekday_of_month", None):
        return None
    minute, hour, dom, month, dow = parsed.expanded
    if dom != ["*"] and dow != ["*"]:  # croniter fires on either day field
        if dom != _EVERY_DAY and dow != _EVERY_WEEKDAY:
            return None
        dom, dow = ["*"], ["*"]  # one of them takes every day: so does their OR
    fields = [_field(minute), _field(hour), "L" if dom == ["l"] else _field(dom), _field(month),
              _field(dow, shift=1)]
    if None in fields:
        return None
    m, h, d, mo, w = fields
    if w == "*":
        w = "?"
    elif d == "*":
        d = "?"
    return f"cron({m} {h} {d} {mo} {w} *)"
