"""Which EventBridge Scheduler schedule a cron trigger needs, made from its stored times.

A trigger has one pending schedule at a time, a function of its state:

- its ``first_execution_time`` not reached yet: the one-time ``at(first)``;
- else a pattern EventBridge can say exactly (``crontab.to_eventbridge``): the
  recurring ``cron(...)`` schedule ``cron-<trigger id>``, made once;
- else the one-time ``at(next_execution_time)``, made again after every firing
  for the next time croniter computes (the chain).

Every schedule sends a ``CronTriggerFired`` to the timer queue, with its own name
and the time it was due (EventBridge fills ``<aws.scheduler.scheduled-time>``);
the timer's trigger handler starts the execution and moves the trigger on.
Names hold the trigger id (and the time, for one-time ones), so making the
schedule again after a crash or a repeated delivery finds it made.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from sirocco.messaging import envelopes

from .crontab import NEVER, to_eventbridge
from .expressions import at_expression

#: EventBridge Scheduler puts the time the schedule was due here (e.g. 2030-01-02T03:04:00Z)
SCHEDULED_TIME = "<aws.scheduler.scheduled-time>"
#: the stored times' format (naive UTC), as the API writes them
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_SAFE = re.compile(r"^[0-9A-Za-z_.-]{1,40}$")


@dataclass(frozen=True, slots=True)
class CronTriggerFired:
    """A trigger's schedule fired: the body its schedule sends to the timer queue."""

    trigger_id: str = ""
    project_id: str = ""
    name: str = ""
    schedule: str = ""
    scheduled_time: str = ""  # ISO 8601, UTC


@dataclass(frozen=True, slots=True)
class TriggerTimes:
    """What the schedule of a trigger depends on (naive UTC datetimes)."""

    id: str
    name: str
    project_id: str
    pattern: str | None
    first: dt.datetime | None
    next: dt.datetime

    @classmethod
    def of(cls, item: Any) -> "TriggerTimes":
        """From a stored cron trigger (``persistence`` item or anything with its attributes)."""
        first = item.first_execution_time
        return cls(id=item.id, name=item.name, project_id=item.project_id, pattern=item.pattern,
                   first=parse_time(first) if first else None, next=parse_time(item.next_execution_time))


@dataclass(frozen=True, slots=True)
class Wanted:
    name: str
    expression: str
    once: bool


def parse_time(text: str) -> dt.datetime:
    """A stored time (``YYYY-MM-DD HH:MM:SS``) or an ISO one (``...T...Z``) as naive UTC."""
    value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def epoch(moment: dt.datetime) -> float:
    return moment.replace(tzinfo=dt.timezone.utc).timestamp()


def _key(trigger_id: str) -> str:
    return trigger_id if _SAFE.match(trigger_id) else hashlib.sha256(trigger_id.encode()).hexdigest()[:40]


def recurring_name(trigger_id: str) -> str:
    return f"cron-{_key(trigger_id)}"


def once_name(trigger_id: str, when: dt.datetime) -> str:
    return f"cron-{_key(trigger_id)}-{int(epoch(when))}"


def wanted(times: TriggerTimes) -> Wanted:
    """The schedule the trigger needs now."""
    first_pending = times.first is not None and times.next == times.first
    if not first_pending and times.pattern and times.pattern != NEVER:
        expression = to_eventbridge(times.pattern)
        if expression is not None:
            return Wanted(recurring_name(times.id), expression, once=False)
    return Wanted(once_name(times.id, times.next), at_expression(epoch(times.next)), once=True)


def names(times: TriggerTimes) -> list[str]:
    """Every schedule the trigger may have pending (to delete them all)."""
    out = [recurring_name(times.id), once_name(times.id, times.next)]
    if times.first is not None:
        out.append(once_name(times.id, times.first))
    return list(dict.fromkeys(out))


def body(times: TriggerTimes, schedule: str) -> str:
    message = CronTriggerFired(trigger_id=times.id, project_id=times.project_id, name=times.name,
                               schedule=schedule, scheduled_time=SCHEDULED_TIME)
    return envelopes.encode(message)


def ensure(schedules: Any, target_arn: str, times: TriggerTimes) -> Wanted:
    """Make the schedule the trigger needs (nothing if it exists)."""
    want = wanted(times)
    schedules.create(want.name, want.expression, target_arn, body(times, want.name), once=want.once,
                     description=f"sirocco cron trigger {times.name} ({times.id})")
    return want


def remove(schedules: Any, times: TriggerTimes) -> None:
    """Delete every schedule the trigger may have (missing ones are fine)."""
    for name in names(times):
        schedules.delete(name)
