"""The engine's inline runs (handlers/inline.py) on the pure engine: what ``settle`` leaves
to send and to save, against what the executor path would make of the same runs."""

from __future__ import annotations

from typing import Any

from sirocco.actions.standard import default_registry
from sirocco.engine import CancelCall, ExecutionState, ScheduleCall, StartExecution, decide
from sirocco.handlers import inline

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
