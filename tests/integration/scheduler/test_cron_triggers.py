"""Cron triggers on `sirocco dev`: each gets an EventBridge Scheduler schedule,
fires when the (movable) clock reaches its times, starts one execution per
time even when a firing is delivered twice, counts down its executions and
removes itself, schedule included."""

from __future__ import annotations

import datetime as dt
import json

from croniter import croniter

from .conftest import TIMER_ARN, Stack, stored_time, unique, wait_for

WORKFLOW = """
version: '2.0'
{name}:
  input:
    - who: nobody
  tasks:
    greet:
      action: std.echo output="hello <% $.who %>"
"""


def workflow(stack: Stack) -> str:
    name = unique("ticked")
    stack.upload(WORKFLOW.format(name=name))
    return name


def create(stack: Stack, **body: object) -> dict:
    status, trigger = stack.call("POST", "/cron_triggers", body)
    assert status == 201, trigger
    return trigger


def count_is(stack: Stack, wf: str, n: int):
    return lambda: len(stack.executions(wf)) == n


def test_a_trigger_with_two_executions_starts_two_and_disappears(stack: Stack) -> None:
    wf, name = workflow(stack), unique("twice")
    trigger = create(stack, name=name, pattern="* * * * *", workflow_name=wf,
                     workflow_input={"who": "ann"}, remaining_executions=2)
    schedule = stack.schedules()[f"cron-{trigger['id']}"]
    assert schedule["ScheduleExpression"] == "cron(* * * * ? *)"
    assert schedule["Target"]["Arn"] == TIMER_ARN

    first = stored_time(trigger["next_execution_time"])
    stack.advance_past(first)
    wait_for(count_is(stack, wf, 1), "the first execution")
    after = wait_for(lambda: (t := stack.trigger(name)) and t["remaining_executions"] == 1 and t, "the countdown")
    assert stored_time(after["next_execution_time"]) > first

    [execution] = stack.executions(wf)
    assert json.loads(execution["input"]) == {"who": "ann"}
    assert json.loads(execution["description"]) == {
        "description": f"Workflow execution created by cron trigger '({trigger['id']})'.",
        "triggered_by": {"type": "cron_trigger", "id": trigger["id"]}}
    wait_for(lambda: stack.execution(execution["id"])["state"] == "SUCCESS", "the first execution's end")

    stack.advance_past(stored_time(after["next_execution_time"]))
    wait_for(lambda: stack.trigger(name) is None, "the trigger to remove itself")
    assert len(stack.executions(wf)) == 2
    assert not [s for s in stack.schedules() if trigger["id"] in s]  # nothing left to fire
    stack.advance(600)
    status, listed = stack.call("GET", "/cron_triggers")
    assert status == 200 and name not in [t["name"] for t in listed["cron_triggers"]]


def _firing(stack: Stack, trigger: dict) -> str:
    """The body the trigger's schedule sends, for its next time, as EventBridge fills it in."""
    schedule = stack.schedules()[f"cron-{trigger['id']}"]
    when = stored_time(trigger["next_execution_time"]).strftime("%Y-%m-%dT%H:%M:%SZ")
    return schedule["Target"]["Input"].replace("<aws.scheduler.scheduled-time>", when)


def test_a_firing_delivered_twice_starts_one_execution(stack: Stack) -> None:
    wf, name = workflow(stack), unique("dupe")
    trigger = create(stack, name=name, pattern="0 * * * *", workflow_name=wf, remaining_executions=3)
    body = _firing(stack, trigger)
    stack.send_to_timer(body, body)
    handled = lambda: len(stack.log_lines("cron trigger fired", trigger=name)  # noqa: E731
                          + stack.log_lines("cron trigger firing already counted", trigger=name)) >= 2
    wait_for(handled, "both deliveries to be handled")
    [execution] = stack.executions(wf)
    after = stack.trigger(name)
    assert after is not None and after["remaining_executions"] == 2
    assert stored_time(after["next_execution_time"]) == stored_time(trigger["next_execution_time"]) + dt.timedelta(hours=1)

    stack.send_to_timer(body)  # a late repeat of the same firing
    wait_for(lambda: len(stack.log_lines("cron trigger firing already counted", trigger=name)) >= 1
             and len(stack.log_lines("cron trigger fired", trigger=name)
                     + stack.log_lines("cron trigger firing already counted", trigger=name)) >= 3,
             "the repeat to be handled")
    assert [e["id"] for e in stack.executions(wf)] == [execution["id"]]
    assert stack.trigger(name)["remaining_executions"] == 2
    assert stack.call("DELETE", f"/cron_triggers/{name}")[0] == 204


def test_a_bad_pattern_is_refused_naming_it(stack: Stack) -> None:
    wf = workflow(stack)
    before = set(stack.schedules())
    status, answer = stack.call("POST", "/cron_triggers", {"name": unique("bad"), "pattern": "61 * * * *",
                                                           "workflow_name": wf})
    assert status == 400
    assert answer["faultstring"] == "The specified pattern is not valid: 61 * * * *"
    assert set(stack.schedules()) <= before


def test_a_first_execution_time_fires_first_then_the_pattern(stack: Stack) -> None:
    wf, name = workflow(stack), unique("first")
    now = dt.datetime.fromtimestamp(stack.now(), dt.timezone.utc).replace(tzinfo=None)
    first = (now + dt.timedelta(minutes=3)).replace(second=0, microsecond=0)
    trigger = create(stack, name=name, pattern="0 * * * *", workflow_name=wf, remaining_executions=2,
                     first_execution_time=first.strftime("%Y-%m-%d %H:%M"))
    once = f"cron-{trigger['id']}-{int(first.replace(tzinfo=dt.timezone.utc).timestamp())}"
    assert stack.schedules()[once]["ScheduleExpression"] == f"at({first.strftime('%Y-%m-%dT%H:%M:%S')})"
    assert stored_time(trigger["next_execution_time"]) == first

    stack.advance_past(first)
    wait_for(count_is(stack, wf, 1), "the execution at the first time")
    recurring = wait_for(lambda: stack.schedules().get(f"cron-{trigger['id']}"), "the recurring schedule")
    assert recurring["ScheduleExpression"] == "cron(0 * * * ? *)"
    after = stack.trigger(name)
    assert stored_time(after["next_execution_time"]) == croniter("0 * * * *", first).get_next(dt.datetime)

    stack.advance_past(stored_time(after["next_execution_time"]))
    wait_for(lambda: stack.trigger(name) is None, "the trigger to remove itself")
    assert len(stack.executions(wf)) == 2


def test_an_untranslatable_pattern_chains_one_time_schedules_until_deleted(stack: Stack) -> None:
    wf, name, pattern = workflow(stack), unique("chained"), "0 12 1 * mon"  # the 1st or a Monday
    trigger = create(stack, name=name, pattern=pattern, workflow_name=wf)
    first = stored_time(trigger["next_execution_time"])
    mine = lambda: {n: s for n, s in stack.schedules().items() if trigger["id"] in n}  # noqa: E731
    assert [s["ScheduleExpression"] for s in mine().values()] == [f"at({first.strftime('%Y-%m-%dT%H:%M:%S')})"]

    stack.advance_past(first)
    wait_for(count_is(stack, wf, 1), "the first execution")
    second = croniter(pattern, max(first, dt.datetime.fromtimestamp(stack.now(), dt.timezone.utc)
                                   .replace(tzinfo=None))).get_next(dt.datetime)
    expected = {f"cron-{trigger['id']}-{int(second.replace(tzinfo=dt.timezone.utc).timestamp())}":
                f"at({second.strftime('%Y-%m-%dT%H:%M:%S')})"}
    wait_for(lambda: {n: s["ScheduleExpression"] for n, s in mine().items()} == expected, "the next link")
    assert stored_time(stack.trigger(name)["next_execution_time"]) == second
    assert stack.trigger(name)["remaining_executions"] is None

    assert stack.call("DELETE", f"/cron_triggers/{name}")[0] == 204
    assert mine() == {}
