"""A deterministic driver: runs executions to the end on a virtual clock.

It plays the shell's part in-process: applies each event with ``decide``,
turns commands back into events (actions through a pluggable callback,
sub-workflows as nested executions with pause / resume / cancel signals and
state reports between parent and child, delayed calls fired in due-time
order; ``Notify`` commands collected in ``notifications``) and advances the clock to the next due message. Used by the tests (scripted
action results) and, with the real action registry, by ``sirocco run``.
Pure like the engine: time is the virtual clock, ids are counters.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Any, Callable

from . import states
from .catalog import SpecSource
from .commands import (CancelCall, ExecutionFinished, ExecutionStateChanged, Notify, RunAction, ScheduleCall,
                       SignalSubworkflow, StartSubworkflow)
from .conductor import Decision, decide
from .events import (ActionCompleted, CallFired, Cancel, Event, Pause, Resume, StartExecution, SubworkflowCompleted,
                     SubworkflowStateChanged)
from .records import ExecutionState
from .start import check_start


@dataclass(slots=True)
class ActionOutcome:
    """What an action did: ``result``, or ``failed`` with ``error``; it ends
    ``delay`` virtual seconds after it started; ``pending`` leaves it RUNNING
    (an async action, completed later with ``Simulation.complete_action``)."""

    result: Any = None
    error: Any = None
    failed: bool = False
    delay: float = 0.0
    pending: bool = False


ActionCallback = Callable[[RunAction, "Simulation"], ActionOutcome]


@dataclass(order=True, slots=True)
class _Due:
    time: float
    seq: int
    execution_id: str = field(compare=False)
    make: Callable[[str, float], Event] = field(compare=False)


class Simulation:
    def __init__(self, specs: SpecSource, actions: ActionCallback, start_time: float = 1_700_000_000.0,
                 on_decision: Callable[[str, Event, Decision], None] | None = None) -> None:
        self.specs = specs
        self.actions = actions
        self.clock = start_time
        self.executions: dict[str, ExecutionState] = {}
        self.on_decision = on_decision
        self.steps = 0
        self._queue: list[_Due] = []
        self._seq = 0
        self._cancelled: set[str] = set()
        self.action_log: list[RunAction] = []
        self.notifications: list[Notify] = []

    # ---- feeding events

    def post(self, execution_id: str, make: Callable[[str, float], Event], delay: float = 0.0) -> None:
        """Deliver ``make(event_id, time)`` to an execution ``delay`` seconds from now."""
        self._seq += 1
        heapq.heappush(self._queue, _Due(self.clock + delay, self._seq, execution_id, make))

    def start(self, workflow: str, input: dict[str, Any] | None = None, params: dict[str, Any] | None = None,
              execution_id: str | None = None) -> str:
        """Start an execution (``StartRefused`` if the API would refuse it)."""
        check_start(self.specs, workflow, input, params)
        eid = execution_id or f"ex-{len(self.executions) + 1}"
        self.executions[eid] = ExecutionState.new(eid)
        self.post(eid, lambda i, t: StartExecution(i, t, workflow=workflow, input=dict(input or {}),
                                                   params=dict(params or {})))
        return eid

    def complete_action(self, execution_id: str, action_id: str, result: Any = None, error: Any = None,
                        failed: bool = False, delay: float = 0.0) -> None:
        self.post(execution_id, lambda i, t: ActionCompleted(i, t, action_id=action_id, result=result,
                                                             error=error, failed=failed), delay)

    # ---- running

    def run(self, max_steps: int = 1_000_000, until: float | None = None) -> None:
        """Apply events in time order until nothing is due (or ``until``)."""
        while self._queue and self.steps < max_steps:
            if until is not None and self._queue[0].time > until:
                break
            due = heapq.heappop(self._queue)
            self.clock = max(self.clock, due.time)
            self.steps += 1
            event = due.make(f"ev-{self.steps}", self.clock)
            if isinstance(event, CallFired) and event.call_id in self._cancelled:
                continue
            self.apply(due.execution_id, [event])

    def apply(self, execution_id: str, events: list[Event]) -> Decision:
        state = self.executions[execution_id]
        decision = decide(self.specs, state, events)
        if self.on_decision is not None:
            for event in events:
                self.on_decision(execution_id, event, decision)
        for command in decision.commands:
            self._perform(execution_id, command)
        return decision

    def _perform(self, execution_id: str, command: Any) -> None:
        if isinstance(command, RunAction):
            self.action_log.append(command)
            outcome = self.actions(command, self)
            if not outcome.pending:
                aid = command.action_id
                self.post(execution_id, lambda i, t, o=outcome: ActionCompleted(
                    i, t, action_id=aid, result=o.result, error=o.error, failed=o.failed), outcome.delay)
        elif isinstance(command, StartSubworkflow):
            child = command.child_id
            self.executions[child] = ExecutionState.new(child)
            self.post(child, lambda i, t, c=command: StartExecution(
                i, t, workflow=c.workflow, input=dict(c.input), params=dict(c.params),
                parent_execution_id=execution_id, parent_task_id=c.task_id, parent_action_id=c.child_id,
                root_execution_id=c.root_execution_id))
        elif isinstance(command, ScheduleCall):
            self._seq += 1
            heapq.heappush(self._queue, _Due(command.due, self._seq, execution_id,
                                             lambda i, t, c=command.call_id: CallFired(i, t, call_id=c)))
        elif isinstance(command, CancelCall):
            self._cancelled.add(command.call_id)
        elif isinstance(command, ExecutionFinished) and command.parent_execution_id:
            parent = command.parent_execution_id
            self.post(parent, lambda i, t, c=command: SubworkflowCompleted(
                i, t, execution_id=c.execution_id, state=c.state, output=c.output, state_info=c.state_info))
        elif isinstance(command, SignalSubworkflow) and command.child_id in self.executions:
            make = _SIGNALS[command.signal]
            self.post(command.child_id, lambda i, t, c=command: make(i, t, c))
        elif isinstance(command, ExecutionStateChanged) and command.parent_execution_id:
            self.post(command.parent_execution_id, lambda i, t, c=command: SubworkflowStateChanged(
                i, t, execution_id=c.execution_id, state=c.state, own=c.own, seq=c.seq))
        elif isinstance(command, Notify):
            self.notifications.append(command)

    # ---- views

    def header(self, execution_id: str):
        return self.executions[execution_id].header

    def is_done(self, execution_id: str) -> bool:
        return states.is_completed(self.header(execution_id).state)

    def tasks(self, execution_id: str) -> list[dict[str, Any]]:
        """Task executions in the order they were created."""
        state = self.executions[execution_id]
        return [{"id": t.id, "name": t.name, "state": t.state, "state_info": t.state_info,
                 "published": t.published, "result": t.result} for t in state.task_list()]


_SIGNALS: dict[str, Callable[[str, float, SignalSubworkflow], Event]] = {
    "pause": lambda i, t, c: Pause(i, t, msg=c.msg, signal=c.seq),
    "resume": lambda i, t, c: Resume(i, t, signal=c.seq),
    "cancel": lambda i, t, c: Cancel(i, t, msg=c.msg, signal=c.seq),
}


def run_workflow(specs: SpecSource, workflow: str, actions: ActionCallback, input: dict[str, Any] | None = None,
                 params: dict[str, Any] | None = None, max_steps: int = 1_000_000) -> tuple[Simulation, str]:
    """Start ``workflow`` and run it (and its sub-workflows) to the end."""
    sim = Simulation(specs, actions)
    eid = sim.start(workflow, input, params)
    sim.run(max_steps=max_steps)
    return sim, eid
