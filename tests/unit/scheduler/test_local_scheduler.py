"""`sirocco dev`'s scheduler loop with fake clients: cron() schedules fire at
their minutes with EventBridge's context attributes filled in, a jump of the
clock fires once what it skipped, and the loop knows when to wake."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sirocco.local.devscheduler import DevClock, SchedulerLoop

T0 = dt.datetime(2030, 1, 1, 10, 0, 30, tzinfo=dt.timezone.utc).timestamp()
QUEUE = "arn:aws:sqs:us-east-1:123456789012:sirocco-timer"


class FakeScheduler:
    def __init__(self, schedules: dict[str, dict[str, Any]]) -> None:
        self.schedules = schedules
        self.deleted: list[str] = []

    def get_paginator(self, name: str) -> Any:
        scheduler = self

        class Paginator:
            def paginate(self, GroupName: str) -> list[dict[str, Any]]:  # noqa: N803 - boto3's name
                return [{"Schedules": [{"Name": n} for n in scheduler.schedules]}]

        return Paginator()

    def get_schedule(self, GroupName: str, Name: str) -> dict[str, Any]:  # noqa: N803
        if Name not in self.schedules:
            raise ClientError({"Error": {"Code": "ResourceNotFoundException"}}, "GetSchedule")
        return {"Name": Name, "Arn": f"arn:aws:scheduler:us-east-1:1:schedule/g/{Name}", **self.schedules[Name]}

    def delete_schedule(self, GroupName: str, Name: str) -> None:  # noqa: N803
        self.deleted.append(Name)
        self.schedules.pop(Name)


class FakeSqs:
    def __init__(self) -> None:
        self.bodies: list[str] = []

    def get_queue_url(self, QueueName: str) -> dict[str, str]:  # noqa: N803
        return {"QueueUrl": f"url/{QueueName}"}

    def send_message(self, **args: Any) -> None:
        self.bodies.append(args["MessageBody"])


def loop_with(schedules: dict[str, dict[str, Any]], clock: DevClock | None = None
              ) -> tuple[SchedulerLoop, FakeScheduler, FakeSqs, list[float]]:
    now = [T0]
    scheduler, sqs = FakeScheduler(schedules), FakeSqs()
    loop = SchedulerLoop("g", scheduler, sqs, clock=clock or (lambda: now[0]))
    return loop, scheduler, sqs, now


def test_a_cron_schedule_fires_at_its_minutes_with_the_scheduled_time() -> None:
    target = {"Arn": QUEUE, "Input": json.dumps({"at": "<aws.scheduler.scheduled-time>",
                                                 "arn": "<aws.scheduler.schedule-arn>"})}
    loop, _, sqs, now = loop_with({"every5": {"ScheduleExpression": "cron(0/5 * * * ? *)", "Target": target}})
    assert loop.tick() == 0  # 10:00:30: the next is 10:05
    now[0] += 270
    assert loop.tick() == 1
    now[0] += 60
    assert loop.tick() == 0
    now[0] += 240
    assert loop.tick() == 1
    assert [json.loads(b)["at"] for b in sqs.bodies] == ["2030-01-01T10:05:00Z", "2030-01-01T10:10:00Z"]
    assert json.loads(sqs.bodies[0])["arn"].endswith("/every5")


def test_a_jump_over_several_times_fires_once_for_the_first_missed() -> None:
    target = {"Arn": QUEUE, "Input": "<aws.scheduler.scheduled-time>"}
    loop, _, sqs, now = loop_with({"minutely": {"ScheduleExpression": "cron(* * * * ? *)", "Target": target}})
    loop.tick()
    now[0] += 3600
    assert loop.tick() == 1
    assert sqs.bodies == ["2030-01-01T10:01:00Z"]
    now[0] += 60  # then on at the minutes after the jump
    assert loop.tick() == 1 and sqs.bodies[-1] == "2030-01-01T11:01:00Z"


def test_a_deleted_schedule_does_not_fire_between_listings() -> None:
    schedules = {"call-1": {"ScheduleExpression": "at(2030-01-01T10:01:00)", "ActionAfterCompletion": "DELETE",
                            "Target": {"Arn": QUEUE, "Input": "x"}}}
    loop, scheduler, sqs, now = loop_with(schedules)
    loop.observe()
    scheduler.schedules.clear()  # a CancelCall deleted it
    now[0] += 60
    assert loop._fire_due(confirm=True) == 0 and sqs.bodies == []


def test_the_loop_knows_how_long_to_sleep() -> None:
    schedules = {"soon": {"ScheduleExpression": "at(2030-01-01T10:00:31)", "Target": {"Arn": QUEUE}}}
    loop, _, _, now = loop_with(schedules)
    loop.interval = 5.0
    loop.observe()
    assert loop._seconds_to_due() == pytest.approx(1.0)
    now[0] += 1.0
    assert loop._seconds_to_due() == pytest.approx(0.0)
    assert loop.tick() == 1
    assert loop._seconds_to_due() == 5.0  # nothing known: list again after the interval


def test_a_schedule_seen_before_the_clock_jumps_counts_from_before_it() -> None:
    clock = DevClock()
    target = {"Arn": QUEUE, "Input": "<aws.scheduler.scheduled-time>"}
    loop, _, sqs, _ = loop_with({"hourly": {"ScheduleExpression": "cron(0 * * * ? *)", "Target": target}}, clock)
    loop.observe()
    clock.advance(3600)
    assert loop.tick() == 1 and len(sqs.bodies) == 1


def test_the_dev_clock_only_moves_forward() -> None:
    clock = DevClock(10)
    before = clock()
    assert clock.advance(50) == 60 and clock() >= before + 50
    with pytest.raises(ValueError):
        clock.advance(-1)
