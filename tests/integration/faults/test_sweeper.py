"""The sweeper: an execution left RUNNING (or IDLE) by a lost message is found once
it is quiet and repaired, or, when nothing can move it, ended as ERROR with a
state_info that says why. Each test loses one message on purpose (as a message
that went to a dead-letter queue is lost to its execution), checks that the
execution is stuck, moves the clock past the quiet time and lets the sweeper's
schedule fire."""

from __future__ import annotations

import json
from typing import Any, Callable

import pytest

from sirocco.handlers.repairs import STOPPED_BY_SWEEPER
from sirocco.handlers.sweeper import SweepSettings, sweep

from .harness import Chaos, Stack, partitions

WORKFLOWS = """
version: '2.0'
sw_wait:
  output: {v: <% $.v %>}
  tasks:
    waits:
      action: std.echo output=5
      wait-before: 1
      publish: {v: <% task().result %>}

sw_chain:
  output: {b: <% $.b %>}
  tasks:
    a:
      action: std.echo output=1
      on-success: [b]
    b:
      action: std.echo output=2
      publish: {b: <% task().result %>}

sw_parent:
  output: {c: <% $.c %>}
  tasks:
    call:
      workflow: sw_child
      publish: {c: <% task().result.y %>}
      on-error: [fallback]
    fallback:
      action: std.echo output="fallback"
      publish: {c: <% task().result %>}

sw_two_async:
  tasks:
    one:
      action: std.async_noop
    two:
      action: std.async_noop

sw_child:
  output: {y: 42}
  tasks:
    one:
      action: std.noop
"""

QUIET = 30


@pytest.fixture(scope="module")
def uploaded(stack: Stack) -> Stack:
    stack.upload(WORKFLOWS)
    return stack


@pytest.fixture(autouse=True)
def settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIROCCO_SWEEP_QUIET", str(QUIET))


def _type(record: dict[str, Any]) -> str:
    return json.loads(record["body"]).get("type", "")


def _stuck(stack: Stack, delivery: Chaos, eid: str, state: str = "RUNNING") -> None:
    """The message was lost, everything else delivered, and the execution is still
    ``state``: nothing will move it."""
    assert delivery.run(lambda: bool(delivery.dropped) and not delivery.pending(), timeout=20)
    assert stack.header(eid).state == state


def _repaired(stack: Stack, delivery: Chaos, eid: str, later: Callable[[float], None]) -> Any:
    later(QUIET + 90)
    delivery.drop = None
    delivery.sweep()
    assert not delivery.settle([eid], timeout=20)
    return partitions(stack.rt)[eid]


def test_a_delayed_call_whose_timer_message_was_lost_is_fired(uploaded: Stack, later: Any) -> None:
    delivery = Chaos(uploaded)
    delivery.drop = lambda role, record: role == "timer"
    eid = uploaded.start("sw_wait")
    _stuck(uploaded, delivery, eid)
    found = _repaired(uploaded, delivery, eid, later)
    assert found.header.state == "SUCCESS" and found.header.output == {"v": 5}


def test_commands_a_crash_left_unsent_are_sent(uploaded: Stack, later: Any) -> None:
    delivery = Chaos(uploaded)
    crashed: list[str] = []

    def crash_once(step: str) -> None:
        if step == "engine.saved" and not crashed:
            crashed.append(step)
            raise RuntimeError("the engine stops after its save")

    uploaded.rt.checkpoint = crash_once
    # ... and its message is lost after that: nobody loads the execution again
    delivery.drop = lambda role, record: role == "engine" and int(record["attributes"]["ApproximateReceiveCount"]) > 1
    try:
        eid = uploaded.start("sw_chain")
        _stuck(uploaded, delivery, eid)
    finally:
        uploaded.rt.checkpoint = None
    assert crashed and uploaded.rt.executions.pending_outbox(eid) is not None
    found = _repaired(uploaded, delivery, eid, later)
    assert found.header.state == "SUCCESS" and found.header.output == {"b": 2}
    assert uploaded.rt.executions.pending_outbox(eid) is None


def test_an_execution_whose_start_was_lost_is_started(uploaded: Stack, later: Any) -> None:
    delivery = Chaos(uploaded)
    delivery.drop = lambda role, record: _type(record) == "StartExecution"
    eid = uploaded.start("sw_chain")
    _stuck(uploaded, delivery, eid, state="IDLE")
    found = _repaired(uploaded, delivery, eid, later)
    assert found.header.state == "SUCCESS" and found.header.output == {"b": 2}


def test_a_sub_workflow_that_ended_unreported_is_reported_to_its_parent(uploaded: Stack, later: Any) -> None:
    delivery = Chaos(uploaded)
    delivery.drop = lambda role, record: _type(record) == "SubworkflowCompleted"
    eid = uploaded.start("sw_parent")
    _stuck(uploaded, delivery, eid)
    found = _repaired(uploaded, delivery, eid, later)
    assert found.header.state == "SUCCESS" and found.header.output == {"c": 42}


def test_a_sub_workflow_that_never_started_fails_its_task(uploaded: Stack, later: Any) -> None:
    delivery = Chaos(uploaded)
    eid = uploaded.start("sw_parent")
    delivery.drop = lambda role, record: _type(record) == "StartExecution" and json.loads(record["body"])["to"] != eid
    _stuck(uploaded, delivery, eid)
    found = _repaired(uploaded, delivery, eid, later)
    assert found.header.state == "SUCCESS" and found.header.output == {"c": "fallback"}  # on-error ran
    call = next(t for t in found.tasks if t.name == "call")
    assert call.state == "ERROR" and "never started" in (call.state_info or "")


def test_an_execution_nothing_can_move_is_stopped_as_error_saying_why(uploaded: Stack, later: Any) -> None:
    delivery = Chaos(uploaded)
    delivery.drop = lambda role, record: role == "executor"  # a's action is lost ...
    eid = uploaded.start("sw_chain")
    _stuck(uploaded, delivery, eid)
    store = uploaded.rt.executions
    [run] = store.list_actions(eid)
    store.Item(eid, f"ACTION#{run.id}").delete()  # ... and its run's record too: nothing is under way
    found = _repaired(uploaded, delivery, eid, later)
    assert found.header.state == "ERROR"
    assert found.header.state_info.startswith(STOPPED_BY_SWEEPER)
    assert "unfinished tasks: a (RUNNING)" in found.header.state_info


def test_only_quiet_executions_are_looked_at_and_a_sweep_twice_changes_nothing(uploaded: Stack,
                                                                               later: Any) -> None:
    delivery = Chaos(uploaded)
    delivery.drop = lambda role, record: role == "timer"
    eid = uploaded.start("sw_wait")
    _stuck(uploaded, delivery, eid)
    assert eid not in (sweep(uploaded.rt, SweepSettings(quiet=QUIET)).nudged or [])  # it moved just now
    later(QUIET + 90)
    assert eid in (sweep(uploaded.rt, SweepSettings(quiet=QUIET)).nudged or [])
    delivery.drop = None
    assert not delivery.settle([eid], timeout=20)
    version = uploaded.rt.executions.load(eid).version
    assert eid not in (sweep(uploaded.rt, SweepSettings(quiet=QUIET)).nudged or [])  # SUCCESS: not swept
    delivery.sweep()
    assert uploaded.rt.executions.load(eid).version == version


def test_an_execution_that_keeps_saving_is_not_swept_however_long_it_runs(uploaded: Stack, later: Any) -> None:
    """Quiet means no save for ``quiet`` seconds, not no change of state: a long with-items or a
    fan-out moves on for hours while RUNNING, and a sweep reads every record of it."""
    from sirocco.engine import ActionCompleted
    from sirocco.messaging.routing import action_completed_id, engine_message

    delivery = Chaos(uploaded)
    eid = uploaded.start("sw_two_async")
    assert delivery.run(lambda: not delivery.pending(), timeout=20)
    later(QUIET + 90)  # RUNNING since long before the quiet time ...
    first = sorted(a.id for a in uploaded.rt.executions.list_actions(eid))[0]
    done = ActionCompleted(action_completed_id(first), uploaded.rt.clock(), action_id=first, result=1)
    uploaded.rt.queues.send(uploaded.rt.queue_settings.engine_queue, [engine_message(done, eid)])
    assert delivery.run(lambda: not delivery.pending(), timeout=20)
    assert uploaded.header(eid).state == "RUNNING"  # ... but saved just now: one action ended
    assert eid not in (sweep(uploaded.rt, SweepSettings(quiet=QUIET)).nudged or [])
