"""The engine's inline runs (handlers/inline.py) on the pure engine: what ``settle`` leaves
to send and to save, against what the executor path would make of the same runs."""

from __future__ import annotations

from typing import Any

from sirocco.actions import Action, ActionContext, Result
from sirocco.actions.standard import default_registry
from sirocco.engine import CancelCall, ExecutionState, ScheduleCall, StartExecution, decide
from sirocco.handlers import inline
from sirocco.handlers.executor import completion

from .harness import catalog

TIMED = """
version: '2.0'
wf:
  tasks:
    one:
      action: std.noop
      timeout: 2000
      on-success: [two]
    two:
      action: std.echo output=2
      timeout: 20
"""


def _settle(definition: str, registry: Any = default_registry, limit: int = 250) -> Any:
    specs = catalog("workflow", definition)
    start = StartExecution("ev-1", 1_700_000_000.0, workflow="wf")
    first = decide(specs, ExecutionState.new("ex-1"), [start])
    decision, _ = inline.settle(lambda s, e: decide(specs, s, e), first, registry, lambda: 1_700_000_001.0, limit)
    return decision


def test_a_timeout_whose_action_ran_inline_sends_no_timer_message() -> None:
    decision = _settle(TIMED)
    assert decision.state.header.state == "SUCCESS"
    assert not [c for c in decision.commands if isinstance(c, (ScheduleCall, CancelCall))]


def test_a_timeout_whose_action_is_left_to_an_executor_keeps_its_timer() -> None:
    decision = _settle(TIMED, limit=1)  # two goes to an executor: its timeout must still fire
    scheduled = [c for c in decision.commands if isinstance(c, ScheduleCall)]
    assert [c.kind for c in scheduled] == ["timeout"]
    assert not [c for c in decision.commands if isinstance(c, CancelCall) and c.call_id == scheduled[0].call_id]


class _Cancelled(Action):
    @classmethod
    def runs_inline(cls, input: Any) -> bool:
        return True

    def run(self, ctx: ActionContext) -> Result:
        return Result(cancel=True)


def test_a_cancelled_inline_run_ends_as_a_cancelled_executor_run_does() -> None:
    registry = default_registry.copy()
    registry.register("test.scripted", _Cancelled, replace=True)
    definition = "version: '2.0'\nwf:\n  tasks:\n    one:\n      action: test.scripted\n"
    ran_inline = _settle(definition, registry)
    specs = catalog("workflow", definition)
    first = decide(specs, ExecutionState.new("ex-1"), [StartExecution("ev-1", 1_700_000_000.0, workflow="wf")])
    run = first.commands[-1]
    through_executor = decide(specs, first.state, [completion(run, Result(cancel=True), 1_700_000_001.0)])

    def seen(decision: Any) -> Any:
        return ([(a.state, a.result) for a in decision.state.actions.values()],
                [(t.state, t.state_info) for t in decision.state.tasks.values()])

    assert seen(ran_inline) == seen(through_executor)


def test_a_task_with_a_target_goes_to_its_executor_even_for_std_echo() -> None:
    definition = ("version: '2.0'\nwf:\n  tasks:\n    one:\n      action: std.echo output=1\n"
                  "      target: special\n")
    decision = _settle(definition)
    assert decision.state.header.state == "RUNNING"
    assert [(c.name, c.target) for c in decision.commands if type(c).__name__ == "RunAction"] == [
        ("std.echo", "special")]
