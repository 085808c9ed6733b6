"""Pause, resume and cancel across sub-workflows, through the simulation
driver (parent and child executions exchange SignalSubworkflow /
ExecutionStateChanged / ExecutionFinished as the shell would deliver them).

Mistral 23.0.0 facts these follow (checked on the oracle server with
python-mistralclient, see docs/engine.md): pausing a parent pauses its
running sub-workflows and shows their tasks PAUSED; resuming the parent
resumes them; cancelling the parent cancels them with the same message
(the task CANCELLED with it); a sub-workflow cancelled on its own makes its
task CANCELLED, no transition follows, the other branches finish and the
parent ends CANCELLED, state_info and output result "Cancelled tasks: <names>";
a sub-workflow that pauses on its own pauses its parent.
"""

from __future__ import annotations

import copy

from sirocco.engine import (Cancel, Pause, Resume, SignalSubworkflow, SubworkflowStateChanged, decide,
                            states)
from sirocco.engine.simulation import Simulation

from .harness import catalog, std_action

PARENT_CHILD = """
version: '2.0'
parent:
  tasks:
    call:
      workflow: child
      on-success: [after]
      on-error: [after_err]
      on-complete: [after_any]
    side:
      action: std.echo output="side" delay=4
    after:
      action: std.noop
    after_err:
      action: std.noop
    after_any:
      action: std.noop
child:
  tasks:
    c1:
      action: std.echo output=1 delay=2
      on-success: [c2]
    c2:
      action: std.echo output=2
"""


def _sim(definition: str = PARENT_CHILD) -> Simulation:
    return Simulation(catalog("workflow", definition), std_action)


def _child(sim: Simulation, parent: str, task: str = "call") -> str:
    tid = sim.header(parent).last_task[task]
    ids = [c for c, t in sim.executions[parent].header.children.items() if t == tid]
    if ids:
        return ids[0]
    return next(a.id for a in sim.executions[parent].actions.values() if a.task_id == tid)


def _tasks(sim: Simulation, eid: str) -> dict[str, str]:
    return {t["name"]: t["state"] for t in sim.tasks(eid)}


def test_pause_parent_pauses_child_and_resume_resumes_it() -> None:
    sim = _sim()
    p = sim.start("parent")
    sim.run(until=sim.clock + 1)
    child = _child(sim, p)
    sim.post(p, lambda i, t: Pause(i, t))
    sim.run(until=sim.clock + 5)
    assert sim.header(p).state == states.PAUSED
    assert sim.header(child).state == states.PAUSED
    assert _tasks(sim, p)["call"] == states.PAUSED
    # c1 ended while the child was paused; c2 waits for resume
    assert _tasks(sim, child) == {"c1": states.SUCCESS}
    assert sim.executions[p].actions[child].state == states.PAUSED
    sim.post(p, lambda i, t: Resume(i, t))
    sim.run()
    assert sim.header(child).state == states.SUCCESS
    assert sim.header(p).state == states.SUCCESS
    assert _tasks(sim, p) == {"call": "SUCCESS", "side": "SUCCESS", "after": "SUCCESS", "after_any": "SUCCESS"}
    assert sim.executions[p].header.children == {}


def test_cancel_parent_cancels_child_with_the_same_message() -> None:
    sim = _sim()
    p = sim.start("parent")
    sim.run(until=sim.clock + 1)
    child = _child(sim, p)
    sim.post(p, lambda i, t: Cancel(i, t, msg="stop it"))
    sim.run()
    h, ch = sim.header(p), sim.header(child)
    assert (h.state, h.state_info, h.output) == (states.CANCELLED, "stop it", {"result": "stop it"})
    assert (ch.state, ch.state_info, ch.output) == (states.CANCELLED, "stop it", {"result": "stop it"})
    assert _tasks(sim, p) == {"call": "CANCELLED", "side": "CANCELLED"}
    assert sim.tasks(p)[0]["state_info"] == "stop it"
    assert _tasks(sim, child) == {"c1": "CANCELLED"}
    ran = [c.name for c in sim.action_log]
    assert ran == ["std.echo", "std.echo"]  # c1 and side; c2 never ran


def test_child_cancelled_on_its_own_cancels_task_then_parent() -> None:
    sim = _sim()
    p = sim.start("parent")
    sim.run(until=sim.clock + 1)
    child = _child(sim, p)
    sim.post(child, lambda i, t: Cancel(i, t, msg="child stop"))
    sim.run(until=sim.clock + 1)
    # the task is CANCELLED with the child's message; the other branch still runs
    assert sim.header(p).state == states.RUNNING
    call = sim.tasks(p)[0] if sim.tasks(p)[0]["name"] == "call" else sim.tasks(p)[1]
    assert (call["state"], call["state_info"]) == (states.CANCELLED, "child stop")
    sim.run()
    h = sim.header(p)
    assert (h.state, h.state_info, h.output) == (states.CANCELLED, "Cancelled tasks: call",
                                                 {"result": "Cancelled tasks: call"})
    # no transition follows a cancelled task: not on-success, on-error nor on-complete
    assert _tasks(sim, p) == {"call": "CANCELLED", "side": "SUCCESS"}


def test_cancelled_child_wins_over_an_unhandled_error() -> None:
    definition = """
version: '2.0'
parent:
  tasks:
    call:
      workflow: child
    boom:
      action: std.fail
child:
  tasks:
    c1:
      action: std.async_noop
"""
    sim = _sim(definition)
    p = sim.start("parent")
    sim.run()
    sim.post(_child(sim, p), lambda i, t: Cancel(i, t, msg=None))
    sim.run()
    h = sim.header(p)
    assert (h.state, h.state_info) == (states.CANCELLED, "Cancelled tasks: call")
    assert _tasks(sim, p) == {"call": "CANCELLED", "boom": "ERROR"}


def test_with_items_of_subworkflows_one_cancelled_item_cancels_the_task() -> None:
    definition = """
version: '2.0'
parent:
  tasks:
    fan:
      with-items: i in [1, 2, 3]
      workflow: child
      on-complete: [never]
    never:
      action: std.noop
child:
  tasks:
    c1:
      action: std.async_noop
"""
    sim = _sim(definition)
    p = sim.start("parent")
    sim.run()
    kids = sorted(sim.executions[p].header.children)
    assert len(kids) == 3
    sim.post(kids[1], lambda i, t: Cancel(i, t, msg="one gone"))
    sim.run()
    task = sim.tasks(p)[0]
    assert (task["state"], task["state_info"]) == (states.CANCELLED, "One or more actions was cancelled.")
    assert sim.header(p).state == states.CANCELLED
    assert [sim.header(k).state for k in kids] == [states.RUNNING, states.CANCELLED, states.RUNNING]


def test_child_pausing_on_its_own_pauses_the_parent_and_its_siblings() -> None:
    definition = """
version: '2.0'
parent:
  tasks:
    a:
      workflow: child_pb
    b:
      workflow: child
child_pb:
  tasks:
    c1:
      action: std.echo output=1 delay=1
      on-success: [c2]
    c2:
      action: std.noop
      pause-before: true
child:
  tasks:
    c1:
      action: std.echo output=1 delay=3
      on-success: [c2]
    c2:
      action: std.noop
"""
    sim = _sim(definition)
    p = sim.start("parent")
    sim.run()
    a, b = _child(sim, p, "a"), _child(sim, p, "b")
    assert [sim.header(e).state for e in (p, a, b)] == [states.PAUSED] * 3
    assert _tasks(sim, p) == {"a": states.PAUSED, "b": states.PAUSED}
    assert _tasks(sim, b) == {"c1": states.SUCCESS}  # its c2 waits
    sim.post(p, lambda i, t: Resume(i, t))
    sim.run()
    assert [sim.header(e).state for e in (p, a, b)] == [states.SUCCESS] * 3


def test_child_resumed_directly_resumes_the_parent_when_no_other_child_is_paused() -> None:
    sim = _sim()
    p = sim.start("parent")
    sim.run(until=sim.clock + 1)
    child = _child(sim, p)
    sim.post(child, lambda i, t: Pause(i, t))
    sim.run(until=sim.clock + 1)
    assert sim.header(p).state == states.PAUSED and _tasks(sim, p)["call"] == states.PAUSED
    sim.post(child, lambda i, t: Resume(i, t))
    sim.run()
    assert sim.header(p).state == states.SUCCESS and sim.header(child).state == states.SUCCESS


def test_pause_and_cancel_reach_grandchildren() -> None:
    definition = """
version: '2.0'
top:
  tasks:
    t:
      workflow: middle
middle:
  tasks:
    m:
      workflow: leaf
leaf:
  tasks:
    l1:
      action: std.echo output=1 delay=2
      on-success: [l2]
    l2:
      action: std.noop
"""
    sim = _sim(definition)
    top = sim.start("top")
    sim.run(until=sim.clock + 1)
    middle = _child(sim, top, "t")
    leaf = _child(sim, middle, "m")
    sim.post(top, lambda i, t: Pause(i, t))
    sim.run(until=sim.clock + 5)
    assert [sim.header(e).state for e in (top, middle, leaf)] == [states.PAUSED] * 3
    sim.post(top, lambda i, t: Cancel(i, t, msg="all of it"))
    sim.run()
    assert [sim.header(e).state for e in (top, middle, leaf)] == [states.CANCELLED] * 3
    assert sim.header(leaf).state_info == "all of it"
    assert _tasks(sim, leaf) == {"l1": "SUCCESS"}  # l2 waited for resume, never created


def test_child_finishing_while_its_task_shows_paused_completes_the_task() -> None:
    definition = """
version: '2.0'
parent:
  tasks:
    call:
      workflow: child
      on-success: [after]
    after:
      action: std.noop
child:
  tasks:
    c1:
      action: std.echo output=1 delay=1
"""
    sim = _sim(definition)
    p = sim.start("parent")
    # the child ends at t=1, just before the parent's pause (also at t=1) signals it
    sim.post(p, lambda i, t: Pause(i, t), delay=1)
    sim.run(until=sim.clock + 0.5)
    child = _child(sim, p)
    sim.run()
    assert sim.header(child).state == states.SUCCESS
    assert sim.header(p).state == states.PAUSED
    assert _tasks(sim, p) == {"call": states.SUCCESS}
    sim.post(p, lambda i, t: Resume(i, t))
    sim.run()
    assert sim.header(p).state == states.SUCCESS
    assert _tasks(sim, p) == {"call": "SUCCESS", "after": "SUCCESS"}


def test_repeated_or_stale_signals_and_reports_change_nothing() -> None:
    sim = _sim()
    p = sim.start("parent")
    sim.run(until=sim.clock + 1)
    child = _child(sim, p)
    signals: list[SignalSubworkflow] = []
    original = sim._perform

    def spy(eid, command):
        if isinstance(command, SignalSubworkflow):
            signals.append(command)
        original(eid, command)

    sim._perform = spy  # type: ignore[method-assign]
    sim.post(p, lambda i, t: Pause(i, t))
    sim.run(until=sim.clock + 0.5)
    sim.post(p, lambda i, t: Resume(i, t))
    sim.run(until=sim.clock + 0.5)
    assert [s.signal for s in signals] == ["pause", "resume"]
    assert sim.header(child).state == states.RUNNING
    # the old pause signal, delivered again after the resume: dropped
    state = sim.executions[child]
    late = decide(sim.specs, state, [Pause("late", sim.clock, signal=signals[0].seq)])
    assert late.changed == [] and late.commands == [] and state.header.state == states.RUNNING
    # the child's first report (PAUSED), delivered again to the parent: dropped
    parent = sim.executions[p]
    before = copy.deepcopy(parent)
    stale = decide(sim.specs, parent, [SubworkflowStateChanged("late2", sim.clock, execution_id=child,
                                                               state=states.PAUSED, own=False, seq=1)])
    assert stale.changed == [] and stale.commands == []
    assert parent.header.state == before.header.state == states.RUNNING
    sim.run()
    assert sim.header(p).state == states.SUCCESS


def test_with_items_keep_launching_while_paused_and_transitions_wait() -> None:
    """Mistral 23 (checked on the oracle): a with-items task with concurrency 1
    keeps launching its remaining items while the execution is PAUSED; the
    task ends SUCCESS while paused and its transitions run on resume."""
    definition = """
version: '2.0'
wf:
  tasks:
    loop:
      with-items: i in [0, 1, 2, 3]
      concurrency: 1
      action: std.echo output=<% $.i %> delay=1
      on-success: [after]
    after:
      action: std.noop
"""
    sim = _sim(definition)
    e = sim.start("wf")
    sim.post(e, lambda i, t: Pause(i, t), delay=0.5)
    sim.run(until=sim.clock + 10)
    assert sim.header(e).state == states.PAUSED
    assert len(sim.action_log) == 4
    assert _tasks(sim, e) == {"loop": states.SUCCESS}
    sim.post(e, lambda i, t: Resume(i, t))
    sim.run()
    assert _tasks(sim, e) == {"loop": "SUCCESS", "after": "SUCCESS"}
    assert sim.tasks(e)[0]["result"] == [0, 1, 2, 3]


class _Twice(Simulation):
    """Applies every event twice (at-least-once delivery) and checks the second
    application changes nothing; a user's own Pause / Resume (no signal
    number) is deduplicated by the shell, by event id, so it is left out."""

    def apply(self, execution_id, events):
        decision = super().apply(execution_id, events)
        again = [e for e in events if not (isinstance(e, (Pause, Resume)) and not e.signal)]
        if again:
            state = self.executions[execution_id]
            second = decide(self.specs, state, again)
            assert second.changed == [] and second.commands == [], (events, second)
        return decision


def test_every_parent_child_message_applied_twice_changes_nothing() -> None:
    definition = """
version: '2.0'
parent:
  tasks:
    a:
      workflow: child_pb
    b:
      workflow: child
      on-success: [c]
    c:
      with-items: i in [1, 2]
      workflow: child
child_pb:
  tasks:
    c1:
      action: std.echo output=1 delay=1
      on-success: [c2]
    c2:
      action: std.noop
      pause-before: true
child:
  tasks:
    c1:
      action: std.echo output=1 delay=3
      on-success: [c2]
    c2:
      action: std.noop
"""
    sim = _Twice(catalog("workflow", definition), std_action)
    p = sim.start("parent")
    sim.run()
    assert sim.header(p).state == states.PAUSED
    sim.post(p, lambda i, t: Resume(i, t))
    sim.post(p, lambda i, t: Pause(i, t), delay=3.5)
    sim.post(p, lambda i, t: Resume(i, t), delay=5)
    sim.run()
    assert sim.header(p).state == states.SUCCESS
    sim2 = _Twice(catalog("workflow", definition), std_action)
    p2 = sim2.start("parent")
    sim2.run()
    sim2.post(p2, lambda i, t: Resume(i, t))
    sim2.post(p2, lambda i, t: Cancel(i, t, msg="enough"), delay=1)
    sim2.run()
    assert sim2.header(p2).state == states.CANCELLED
    children = sorted(s.header.state for e, s in sim2.executions.items() if e != p2)
    assert children == [states.CANCELLED, states.CANCELLED, states.SUCCESS, states.SUCCESS], children
