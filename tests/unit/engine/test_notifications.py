"""Notify commands: Mistral's event types and payloads, only when the
execution's params carry ``notify``, filtered per publisher by
``event_types``. The expected sequences are those Mistral 23.0.0 sent to a
webhook publisher on the oracle server for the same workflows (in the
engine's logical order: Mistral's notifier delivers asynchronously, so a
webhook may see e.g. WORKFLOW_SUCCEEDED before the last TASK_SUCCEEDED)."""

from __future__ import annotations

from typing import Any

import pytest

from sirocco.engine import Cancel, Notify, Pause, RerunTask, Resume, decide
from sirocco.engine.simulation import Simulation

from .harness import catalog, std_action

HOOK = [{"type": "webhook", "url": "http://hooks.example/x"}]

DEFINITIONS = """
version: '2.0'
small:
  tasks:
    t1:
      action: std.echo output=1
      on-success: [t2]
    t2:
      action: std.noop
n_join:
  tasks:
    a:
      action: std.noop
      on-success: [j]
    b:
      action: std.echo output=1 delay=1
      on-success: [j]
    j:
      join: all
      action: std.noop
n_waits:
  tasks:
    t:
      action: std.noop
      wait-before: 1
      wait-after: 1
n_retry:
  tasks:
    t:
      action: std.fail
      retry: {count: 1, delay: 1}
n_pb:
  tasks:
    t:
      action: std.noop
      pause-before: true
n_items:
  tasks:
    t:
      with-items: i in [1, 2, 3]
      action: std.echo output=<% $.i %>
n_fail:
  tasks:
    t:
      action: std.fail
      on-success: [never]
    never:
      action: std.noop
n_bad_input:
  tasks:
    t:
      action: std.echo output=<% 1 / 0 %>
parent:
  tasks:
    call:
      workflow: child
child:
  tasks:
    c1:
      action: std.echo output=1 delay=2
"""

SPECS = catalog("workflow", DEFINITIONS)


def run(workflow: str, notify: Any = HOOK, script=None) -> tuple[Simulation, str]:
    sim = Simulation(SPECS, std_action)
    params = {} if notify is None else {"notify": notify}
    eid = sim.start(workflow, {}, params)
    for at, make in script or []:
        sim.post(eid, make, at)
    sim.run()
    return sim, eid


def seq(sim: Simulation) -> list[tuple[str, str]]:
    return [(n.event, n.data["name"]) for n in sim.notifications]


def test_sequence_of_a_small_workflow_and_payloads() -> None:
    sim, eid = run("small")
    assert seq(sim) == [
        ("WORKFLOW_LAUNCHED", "small"),
        ("TASK_LAUNCHED", "t1"), ("TASK_SUCCEEDED", "t1"),
        ("TASK_LAUNCHED", "t2"), ("TASK_SUCCEEDED", "t2"),
        ("WORKFLOW_SUCCEEDED", "small"),
    ]
    wf_launched, t1_launched, t1_done = sim.notifications[:3]
    assert all(isinstance(n, Notify) and n.execution_id == eid for n in sim.notifications)
    assert wf_launched.entity == "workflow" and wf_launched.entity_id == eid
    # Mistral's workflow payload, less workflow_id and project_id (the shell adds them)
    assert set(wf_launched.data) == {"id", "name", "workflow_name", "workflow_namespace", "state", "state_info",
                                     "task_execution_id", "root_execution_id", "created_at", "updated_at", "event"}
    assert wf_launched.data["state"] == "RUNNING" and wf_launched.data["event"] == "WORKFLOW_LAUNCHED"
    assert wf_launched.data["task_execution_id"] is None and wf_launched.data["root_execution_id"] is None
    # Mistral's task payload, less workflow_id and project_id
    assert set(t1_done.data) == {"id", "name", "workflow_execution_id", "workflow_name", "workflow_namespace",
                                 "state", "state_info", "type", "created_at", "updated_at", "started_at",
                                 "finished_at", "event"}
    assert t1_done.entity == "task" and t1_done.entity_id == t1_done.data["id"] == sim.header(eid).last_task["t1"]
    assert t1_done.data["workflow_execution_id"] == eid and t1_done.data["type"] == "ACTION"
    assert t1_launched.data["finished_at"] is None and t1_done.data["finished_at"] is not None
    assert t1_done.data["created_at"] == "2023-11-14 22:13:20"  # Mistral's format, seconds
    assert t1_done.publishers == tuple(HOOK)
    assert sim.notifications[-1].data["state"] == "SUCCESS"


@pytest.mark.parametrize("workflow, expected", [
    # the join task goes WAITING -> RUNNING: Mistral calls it TASK_RESUMED
    ("n_join", [("WORKFLOW_LAUNCHED", "n_join"), ("TASK_LAUNCHED", "a"), ("TASK_LAUNCHED", "b"),
                ("TASK_SUCCEEDED", "a"), ("TASK_SUCCEEDED", "b"), ("TASK_RESUMED", "j"),
                ("TASK_SUCCEEDED", "j"), ("WORKFLOW_SUCCEEDED", "n_join")]),
    # wait-before: launched, delayed, launched again; wait-after: succeeded, delayed, succeeded again
    ("n_waits", [("WORKFLOW_LAUNCHED", "n_waits"), ("TASK_LAUNCHED", "t"), ("TASK_LAUNCHED", "t"),
                 ("TASK_SUCCEEDED", "t"), ("TASK_SUCCEEDED", "t"), ("WORKFLOW_SUCCEEDED", "n_waits")]),
    ("n_retry", [("WORKFLOW_LAUNCHED", "n_retry"), ("TASK_LAUNCHED", "t"), ("TASK_FAILED", "t"),
                 ("TASK_LAUNCHED", "t"), ("TASK_FAILED", "t"), ("WORKFLOW_FAILED", "n_retry")]),
    ("n_items", [("WORKFLOW_LAUNCHED", "n_items"), ("TASK_LAUNCHED", "t"), ("TASK_SUCCEEDED", "t"),
                 ("WORKFLOW_SUCCEEDED", "n_items")]),
    # a task that fails to start was RUNNING first in Mistral
    ("n_bad_input", [("WORKFLOW_LAUNCHED", "n_bad_input"), ("TASK_LAUNCHED", "t"), ("TASK_FAILED", "t"),
                     ("WORKFLOW_FAILED", "n_bad_input")]),
])
def test_sequences_as_mistral(workflow: str, expected: list[tuple[str, str]]) -> None:
    sim, _ = run(workflow)
    assert seq(sim) == expected


def test_pause_before_then_resume() -> None:
    sim, eid = run("n_pb")
    assert sim.header(eid).state == "PAUSED"
    sim.post(eid, lambda i, t: Resume(i, t))
    sim.run()
    assert seq(sim) == [("WORKFLOW_LAUNCHED", "n_pb"), ("TASK_LAUNCHED", "t"), ("WORKFLOW_PAUSED", "n_pb"),
                        ("WORKFLOW_RESUMED", "n_pb"), ("TASK_RESUMED", "t"), ("TASK_SUCCEEDED", "t"),
                        ("WORKFLOW_SUCCEEDED", "n_pb")]
    assert sim.notifications[1].data["state"] == "RUNNING"


def test_rerun() -> None:
    sim, eid = run("n_fail")
    tid = sim.header(eid).last_task["t"]
    sim.post(eid, lambda i, t: RerunTask(i, t, task_id=tid))
    sim.run()
    assert seq(sim)[4:] == [("WORKFLOW_RERUN", "n_fail"), ("TASK_RERUN", "t"), ("TASK_FAILED", "t"),
                            ("WORKFLOW_FAILED", "n_fail")]


def test_cancel() -> None:
    sim, eid = run("n_waits", script=[(0.5, lambda i, t: Cancel(i, t, msg="no"))])
    assert seq(sim) == [("WORKFLOW_LAUNCHED", "n_waits"), ("TASK_LAUNCHED", "t"), ("WORKFLOW_CANCELLED", "n_waits"),
                        ("TASK_CANCELLED", "t")]
    assert sim.notifications[2].data["state_info"] == "no"


def test_subworkflow_inherits_notify_and_its_task_pauses_and_resumes() -> None:
    sim, eid = run("parent", script=[(1, lambda i, t: Pause(i, t)), (5, lambda i, t: Resume(i, t))])
    assert seq(sim) == [
        ("WORKFLOW_LAUNCHED", "parent"), ("TASK_LAUNCHED", "call"),
        ("WORKFLOW_LAUNCHED", "child"), ("TASK_LAUNCHED", "c1"),
        ("WORKFLOW_PAUSED", "parent"), ("TASK_PAUSED", "call"),
        ("WORKFLOW_PAUSED", "child"),
        ("TASK_SUCCEEDED", "c1"),
        ("WORKFLOW_RESUMED", "parent"), ("TASK_RESUMED", "call"),
        ("WORKFLOW_RESUMED", "child"), ("WORKFLOW_SUCCEEDED", "child"),
        ("TASK_SUCCEEDED", "call"), ("WORKFLOW_SUCCEEDED", "parent"),
    ]
    child_launched = sim.notifications[2]
    assert child_launched.execution_id != eid
    assert child_launched.data["root_execution_id"] == eid
    assert child_launched.data["task_execution_id"] == sim.header(eid).last_task["call"]


def test_event_types_filter_each_publisher() -> None:
    publishers = [
        {"type": "webhook", "url": "http://a", "event_types": ["TASK_SUCCEEDED", "WORKFLOW_SUCCEEDED"]},
        {"type": "webhook", "url": "http://b"},
        "not a publisher",  # ignored, as Mistral
        {"type": "noop", "event_types": []},  # empty list: every event
        {"type": "noop", "event_types": ["WORKFLOW_FAILED"]},  # nothing to send here
    ]
    sim, _ = run("small", notify=publishers)
    events = [n.event for n in sim.notifications]
    assert events == ["WORKFLOW_LAUNCHED", "TASK_LAUNCHED", "TASK_SUCCEEDED", "TASK_LAUNCHED", "TASK_SUCCEEDED",
                      "WORKFLOW_SUCCEEDED"]
    for n in sim.notifications:
        urls = [p.get("url", p["type"]) for p in n.publishers]
        if n.event in ("TASK_SUCCEEDED", "WORKFLOW_SUCCEEDED"):
            assert urls == ["http://a", "http://b", "noop"]
        else:
            assert urls == ["http://b", "noop"]
    only = [{"type": "webhook", "url": "http://a", "event_types": ["WORKFLOW_SUCCEEDED"]}]
    sim, _ = run("small", notify=only)
    assert seq(sim) == [("WORKFLOW_SUCCEEDED", "small")]


@pytest.mark.parametrize("notify", [None, [], ["junk"], [{"type": "noop", "event_types": ["TASK_SKIPPED"]}]])
def test_no_notify_no_commands(notify: Any) -> None:
    commands: list[Any] = []
    sim = Simulation(SPECS, std_action, on_decision=lambda eid, ev, d: commands.extend(d.commands))
    params = {} if notify is None else {"notify": notify}
    eid = sim.start("parent", {}, params)
    sim.post(eid, lambda i, t: Pause(i, t), 1)
    sim.post(eid, lambda i, t: Resume(i, t), 2)
    sim.run()
    assert sim.header(eid).state == "SUCCESS"
    assert commands and not [c for c in commands if isinstance(c, Notify)]
    assert sim.notifications == []


def test_notifications_are_part_of_the_replayable_decision() -> None:
    """Applying a batch again gives the same Notify commands (ids, payloads)."""
    import copy

    sim = Simulation(SPECS, std_action)
    eid = sim.start("small", {}, {"notify": HOOK})
    sim.run(max_steps=1)
    state = sim.executions[eid]
    tid = sim.action_log[0].action_id
    from sirocco.engine import ActionCompleted

    event = ActionCompleted("e1", sim.clock, action_id=tid, result=1)
    first = decide(SPECS, copy.deepcopy(state), [event])
    second = decide(SPECS, copy.deepcopy(state), [event])
    notes = [c for c in first.commands if isinstance(c, Notify)]
    assert [n.event for n in notes] == ["TASK_SUCCEEDED", "TASK_LAUNCHED"]
    assert notes == [c for c in second.commands if isinstance(c, Notify)]
