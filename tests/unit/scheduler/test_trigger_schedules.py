"""The schedule a cron trigger needs in each state, and the names of delayed calls'
schedules: deterministic, so that doing it again finds what was done."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from croniter import croniter

from sirocco.scheduler import calls, triggers
from sirocco.scheduler.crontab import NEVER
from sirocco.scheduler.expressions import at_time
from sirocco.scheduler.triggers import TriggerTimes

NAME = re.compile(r"^[0-9A-Za-z_.-]{1,64}$")  # what EventBridge Scheduler takes as a schedule name
T0 = dt.datetime(2030, 1, 1, 10, 0)


class FakeSchedules:
    def __init__(self) -> None:
        self.schedules: dict[str, dict[str, Any]] = {}
        self.deleted: list[str] = []

    def create(self, name: str, expression: str, target_arn: str, body: str, *, once: bool,
               description: str = "") -> bool:
        if name in self.schedules:
            return False
        self.schedules[name] = {"expression": expression, "target": target_arn, "body": body, "once": once}
        return True

    def delete(self, name: str) -> bool:
        self.deleted.append(name)
        return self.schedules.pop(name, None) is not None


def times(pattern: str | None, *, first: dt.datetime | None = None, upcoming: dt.datetime | None = None,
          trigger_id: str = "0b6f3c1e-9a2d-4d1e-8f00-123456789abc") -> TriggerTimes:
    upcoming = upcoming or first or croniter(pattern, T0).get_next(dt.datetime)
    return TriggerTimes(id=trigger_id, name="nightly", project_id="p", pattern=pattern, first=first, next=upcoming)


def test_a_translatable_pattern_gets_one_recurring_schedule() -> None:
    want = triggers.wanted(times("0 2 * * *"))
    assert want == triggers.Wanted("cron-0b6f3c1e-9a2d-4d1e-8f00-123456789abc", "cron(0 2 * * ? *)", once=False)
    assert NAME.match(want.name)


def test_a_first_execution_time_comes_first_then_the_pattern() -> None:
    first = dt.datetime(2030, 1, 1, 10, 30)
    pending = times("0 2 * * *", first=first)
    want = triggers.wanted(pending)
    assert want.once and at_time(want.expression) == triggers.epoch(first)
    assert want.name == f"cron-{pending.id}-{int(triggers.epoch(first))}" and NAME.match(want.name)
    after_first = times("0 2 * * *", first=first, upcoming=dt.datetime(2030, 1, 2, 2, 0))
    assert triggers.wanted(after_first).expression == "cron(0 2 * * ? *)"


def test_a_first_time_without_a_pattern_is_one_at_schedule() -> None:
    first = dt.datetime(2030, 3, 1, 8, 0)
    want = triggers.wanted(times(NEVER, first=first))
    assert want.once and want.expression == "at(2030-03-01T08:00:00)"


def test_an_untranslatable_pattern_is_a_chain_of_at_schedules() -> None:
    pattern = "0 12 1 * mon"  # the 1st of the month or a Monday (croniter's OR)
    state = times(pattern)
    chain = []
    for _ in range(4):
        want = triggers.wanted(state)
        assert want.once
        chain.append(dt.datetime.fromtimestamp(at_time(want.expression), dt.timezone.utc).replace(tzinfo=None))
        state = times(pattern, upcoming=croniter(pattern, state.next).get_next(dt.datetime))
    it = croniter(pattern, T0)
    assert chain == [it.get_next(dt.datetime) for _ in range(4)]
    assert len({triggers.once_name(state.id, t) for t in chain}) == 4  # one name per time


def test_ensure_is_idempotent_and_remove_deletes_every_name() -> None:
    schedules = FakeSchedules()
    state = times("0 2 * * *", first=dt.datetime(2030, 1, 1, 10, 30))
    want = triggers.ensure(schedules, "arn:aws:sqs:us-east-1:1:sirocco-timer", state)
    triggers.ensure(schedules, "arn:aws:sqs:us-east-1:1:sirocco-timer", state)
    assert list(schedules.schedules) == [want.name]
    made = schedules.schedules[want.name]
    body = json.loads(made["body"])
    assert body["type"] == "CronTriggerFired" and made["once"]
    assert body["fields"] == {"trigger_id": state.id, "project_id": "p", "name": "nightly", "schedule": want.name,
                              "scheduled_time": "<aws.scheduler.scheduled-time>"}
    triggers.remove(schedules, state)
    assert schedules.schedules == {} and want.name in schedules.deleted
    assert triggers.recurring_name(state.id) in schedules.deleted


def test_odd_trigger_ids_still_make_valid_names() -> None:
    state = times("0 2 * * *", trigger_id="a/b c" * 20)
    assert all(NAME.match(name) for name in triggers.names(state))


def test_stored_and_iso_times_read_alike() -> None:
    assert triggers.parse_time("2030-01-02 03:04:00") == triggers.parse_time("2030-01-02T03:04:00Z")


def test_call_schedule_names_and_times() -> None:
    name = calls.schedule_name("execution-1", "call-1")
    assert name == calls.schedule_name("execution-1", "call-1") != calls.schedule_name("execution-2", "call-1")
    assert NAME.match(name)
    assert calls.at_for(1893553445.4) == "at(2030-01-02T03:04:05)"
    assert calls.at_for(1893553445.6) == "at(2030-01-02T03:04:06)"
