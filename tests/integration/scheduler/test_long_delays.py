"""Delayed calls longer than SQS can delay, on `sirocco dev`: a wait of an hour
(or days) becomes a one-time EventBridge Scheduler schedule, which fires when
the clock reaches it; cancelling the execution deletes it."""

from __future__ import annotations

import json

import pytest

from .conftest import TIMER_ARN, Stack, unique, wait_for

WAITING = """
version: '2.0'
{name}:
  tasks:
    later:
      action: std.echo output="woke up"
      wait-before: {seconds}
      publish:
        said: <% task().result %>
  output:
    said: <% $.said %>
"""


def start(stack: Stack, seconds: int) -> str:
    name = unique("waiting")
    stack.upload(WAITING.format(name=name, seconds=seconds))
    status, execution = stack.call("POST", "/executions", {"workflow_name": name})
    assert status == 201, execution
    return execution["id"]


def schedule_of(stack: Stack, execution_id: str) -> dict | None:
    """The one-time schedule of a call of ``execution_id``, if there is one."""
    for name, schedule in stack.schedules().items():
        if name.startswith("call-") and execution_id in schedule["Target"]["Input"]:
            return schedule
    return None


def task_state(stack: Stack, execution_id: str) -> str:
    status, answer = stack.call("GET", f"/executions/{execution_id}/tasks")
    assert status == 200, answer
    return answer["tasks"][0]["state"] if answer["tasks"] else ""


@pytest.mark.parametrize("seconds", [3600, 3 * 86400], ids=["one hour", "three days"])
def test_a_long_wait_before_is_scheduled_and_fires_when_the_clock_gets_there(stack: Stack, seconds: int) -> None:
    started = stack.now()
    execution_id = start(stack, seconds)
    schedule = wait_for(lambda: schedule_of(stack, execution_id), "the call's schedule")
    assert schedule["Target"]["Arn"] == TIMER_ARN and schedule["ActionAfterCompletion"] == "DELETE"
    body = json.loads(schedule["Target"]["Input"])
    assert body["type"] == "ScheduleCall" and body["fields"]["kind"] == "wait-before"
    due = body["fields"]["due"]
    assert started + seconds - 5 < due < stack.now() + seconds
    assert schedule["ScheduleExpression"].startswith("at(")
    assert stack.execution(execution_id)["state"] == "RUNNING"
    assert task_state(stack, execution_id) == "RUNNING_DELAYED"

    stack.advance(due - stack.now() + 1)
    done = wait_for(lambda: (e := stack.execution(execution_id))["state"] != "RUNNING" and e, "the execution's end")
    assert done["state"] == "SUCCESS" and json.loads(done["output"]) == {"said": "woke up"}
    assert schedule_of(stack, execution_id) is None


def test_a_cancelled_executions_pending_schedule_is_deleted(stack: Stack) -> None:
    execution_id = start(stack, 3600)
    wait_for(lambda: schedule_of(stack, execution_id), "the call's schedule")
    status, answer = stack.call("PUT", f"/executions/{execution_id}", {"state": "CANCELLED"})
    assert status == 200, answer
    wait_for(lambda: schedule_of(stack, execution_id) is None, "the schedule to be deleted")
    stack.advance(3700)
    assert stack.execution(execution_id)["state"] == "CANCELLED"
    assert task_state(stack, execution_id) == "CANCELLED"
