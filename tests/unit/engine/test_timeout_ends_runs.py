"""A timed-out attempt leaves no action run RUNNING: its runs still running end as
ERROR with the timeout's message (a lost worker never answers), and a late result
changes nothing. Found by the lost-worker fault test (tests/integration/faults)."""

from __future__ import annotations

from sirocco.engine import ActionCompleted
from sirocco.engine.simulation import ActionOutcome, Simulation

from .harness import catalog

DEFINITION = """
version: '2.0'
wf:
  tasks:
    one:
      action: std.noop
      timeout: 2
      retry: {count: 1, delay: 0}
      on-error: [handler]
    items:
      with-items: x in [1, 2, 3]
      action: std.noop
      timeout: 2
      on-error: [handler]
    handler:
      action: std.noop
"""


def test_a_timeout_ends_the_running_actions_of_the_attempt_as_error_and_ignores_late_results() -> None:
    pending: list[str] = []

    def never_answers(cmd, sim) -> ActionOutcome:
        if cmd.task_id == sim.executions[cmd.execution_id].header.last_task.get("handler"):
            return ActionOutcome(result=None)
        pending.append(cmd.action_id)
        return ActionOutcome(pending=True)

    sim = Simulation(catalog("workflow", DEFINITION), never_answers)
    eid = sim.start("wf")
    sim.run(max_steps=10_000)
    state = sim.executions[eid]
    assert state.header.state == "SUCCESS"  # both tasks timed out, their on-error handled it
    runs = {a.id: a for a in state.actions.values()}
    assert pending and all(runs[a].state == "ERROR" for a in pending)
    assert all(runs[a].result == "Task timed out [timeout(s)=2]." for a in pending)
    one = next(t for t in state.tasks.values() if t.name == "one")
    assert one.runs == 2 and one.state == "ERROR"  # the retry timed out too
    before = {a.id: (a.state, a.result) for a in state.actions.values()}
    for action_id in pending:  # the lost workers answer at last
        sim.post(eid, lambda i, t, a=action_id: ActionCompleted(i, t, action_id=a, result="late"), sim.clock + 1)
    sim.run(max_steps=10_000)
    assert {a.id: (a.state, a.result) for a in state.actions.values()} == before
    assert state.header.state == "SUCCESS"
