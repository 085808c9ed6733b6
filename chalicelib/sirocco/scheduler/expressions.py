"""EventBridge Scheduler's schedule expressions: ``at()``, ``rate()``, ``cron()``.

Written to AWS's rules ("Cron expressions reference" of EventBridge), not to
croniter's, for two readers: the local scheduler of `sirocco dev`, which fires
what the emulator only stores, and the tests that check each translated
Mistral pattern (``crontab``) against EventBridge's own meaning of it.

``cron(minutes hours day-of-month month day-of-week year)``: day-of-week counts
1 = SUN to 7 = SAT; exactly one of the two day fields is ``?``; ``L`` (last day,
or ``5L`` the last Thursday), ``W`` (``15W`` the weekday nearest the 15th,
``LW``) and ``#`` (``2#1`` the first Monday) are EventBridge's extras. Times
are minutes, in the schedule's time zone (naive datetimes here).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Callable
from zoneinfo import ZoneInfo

_AT = re.compile(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")
_RATE = re.compile(r"^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((.*)\)$")
_UNIT = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}
_MONTHS = {name: n for n, name in enumerate(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], start=1)}
_DAYS = {name: n for n, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], start=1)}
#: how far ahead ``next_after`` looks before deciding an expression never fires again
HORIZON_DAYS = 366 * 8


def at_expression(epoch: float) -> str:
    """``at(yyyy-mm-ddThh:mm:ss)`` in UTC for a whole epoch second."""
    moment = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    return f"at({moment.strftime('%Y-%m-%dT%H:%M:%S')})"


def at_time(expression: str, timezone: str | None = None) -> float | None:
    """The epoch second of an ``at()`` expression, None for other expressions."""
    match = _AT.match(expression.strip())
    if not match:
        return None
    local = dt.datetime.fromisoformat(match.group(1)).replace(tzinfo=ZoneInfo(timezone or "UTC"))
    return local.timestamp()


def rate_seconds(expression: str) -> int | None:
    match = _RATE.match(expression.strip())
    if not match:
        return None
    return int(match.group(1)) * _UNIT[match.group(2)]


# ---------------------------------------------------------------------------- cron


def _number(token: str, names: dict[str, int]) -> int:
    upper = token.upper()
    if upper in names:
        return names[upper]
    if not token.isdigit():
        raise ValueError(f"not a value: {token!r}")
    return int(token)


def _values(field: str, low: int, high: int, names: dict[str, int]) -> frozenset[int]:
    """The values a plain field (``,`` ``-`` ``*`` ``/``) selects."""
    out: set[int] = set()
    for item in field.split(","):
        part, _, step_text = item.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1 or (step_text and not step_text.isdigit()):
            raise ValueError(f"bad increment in {item!r}")
        if part == "*":
            first, last = low, high
        elif "-" in part:
            a, b = part.split("-", 1)
            first, last = _number(a, names), _number(b, names)
        else:
            first = _number(part, names)
            last = high if step_text else first
        if not (low <= first <= high and low <= last <= high) or first > last:
            raise ValueError(f"{item!r} is outside {low}-{high}")
        out.update(range(first, last + 1, step))
    return frozenset(out)


def _eb_weekday(day: dt.date) -> int:
    """EventBridge's day-of-week number: 1 = Sunday ... 7 = Saturday."""
    return (day.weekday() + 1) % 7 + 1


def _nearest_weekday(year: int, month: int, day: int) -> int:
    """``nW``: the weekday nearest day ``day``, never crossing into another month."""
    last = calendar.monthrange(year, month)[1]
    day = min(day, last)
    weekday = dt.date(year, month, day).weekday()  # Monday 0
    if weekday == 5:  # Saturday: Friday, or Monday when the 1st is a Saturday
        return day - 1 if day > 1 else day + 2
    if weekday == 6:  # Sunday: Monday, or Friday when it is the month's last day
        return day + 1 if day < last else day - 2
    return day


def _day_of_month(field: str) -> Callable[[dt.date], bool]:
    if field == "?":
        return lambda day: True
    if field == "L":
        return lambda day: day.day == calendar.monthrange(day.year, day.month)[1]
    if field == "LW":
        return lambda day: day.day == _nearest_weekday(day.year, day.month, 31)
    if field.endswith("W"):
        wanted = int(field[:-1])
        if not 1 <= wanted <= 31:
            raise ValueError(f"{field!r} is outside 1-31")
        return lambda day: day.day == _nearest_weekday(day.year, day.month, wanted)
    days = _values(field, 1, 31, {})
    return lambda day: day.day in days


def _day_of_week(field: str) -> Callable[[dt.date], bool]:
    if field == "?":
        return lambda day: True
    if field == "L":  # alone: the last day of the week, Saturday
        return lambda day: _eb_weekday(day) == 7
    if "#" in field:
        weekday_text, nth_text = field.split("#", 1)
        weekday, nth = _number(weekday_text, _DAYS), int(nth_text)
        if not (1 <= weekday <= 7 and 1 <= nth <= 5):
            raise ValueError(f"bad day-of-week {field!r}")
        return lambda day: _eb_weekday(day) == weekday and (day.day - 1) // 7 + 1 == nth
    if field.endswith("L"):
        weekday = _number(field[:-1], _DAYS)
        return lambda day: (_eb_weekday(day) == weekday
                            and day.day + 7 > calendar.monthrange(day.year, day.month)[1])
    days = _values(field, 1, 7, _DAYS)
    return lambda day: _eb_weekday(day) in days


@dataclass(frozen=True)
class EventBridgeCron:
    """One ``cron(...)`` expression, checked and ready to answer ``next_after``."""

    minutes: frozenset[int]
    hours: frozenset[int]
    months: frozenset[int]
    years: frozenset[int]
    day_of_month: Callable[[dt.date], bool]
    day_of_week: Callable[[dt.date], bool]

    @classmethod
    def parse(cls, expression: str) -> "EventBridgeCron":
        """ValueError for anything EventBridge would refuse (as far as known here)."""
        match = _CRON.match(expression.strip())
        if not match:
            raise ValueError(f"not a cron() expression: {expression!r}")
        fields = match.group(1).split()
        if len(fields) != 6:
            raise ValueError(f"cron() takes 6 fields, not {len(fields)}: {expression!r}")
        minute, hour, dom, month, dow, year = fields
        if (dom == "?") == (dow == "?"):
            raise ValueError(f"exactly one of day-of-month and day-of-week must be '?': {expression!r}")
        return cls(_values(minute, 0, 59, {}), _values(hour, 0, 23, {}), _values(month, 1, 12, _MONTHS),
                   _values(year, 1970, 2199, {}), _day_of_month(dom), _day_of_week(dow))

    def matches_day(self, day: dt.date) -> bool:
        return (day.year in self.years and day.month in self.months
                and self.day_of_month(day) and self.day_of_week(day))

    def next_after(self, after: dt.datetime) -> dt.datetime | None:
        """The first minute strictly after ``after`` (naive, the schedule's zone), or None."""
        start = after.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
        hours, minutes = sorted(self.hours), sorted(self.minutes)
        day = start.date()
        for _ in range(HORIZON_DAYS):
            if day.year > max(self.years):
                return None
            if self.matches_day(day):
                for hour in hours:
                    for minute in minutes:
                        moment = dt.datetime(day.year, day.month, day.day, hour, minute)
                        if moment >= start:
                            return moment
            day += dt.timedelta(days=1)
        return None


def cron_next(expression: str, after: float, timezone: str | None = None) -> float | None:
    """The epoch second of the first firing of ``cron(...)`` after epoch ``after``."""
    zone = ZoneInfo(timezone or "UTC")
    local = dt.datetime.fromtimestamp(after, zone).replace(tzinfo=None)
    moment = EventBridgeCron.parse(expression).next_after(local)
    return None if moment is None else moment.replace(tzinfo=zone).timestamp()
