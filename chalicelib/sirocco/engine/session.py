"""One ``decide`` call's working set: the specs, the state, the event being
applied, the commands produced so far, and per-call caches. Ids made here are
derived from the event id, so applying the same batch to the same state
always yields the same records and commands."""

from __future__ import annotations

import uuid
from collections import deque
from typing import Any, Callable

from sirocco.language import WorkflowSpec

from . import notifications, states
from .catalog import SpecSource
from .commands import CancelCall, Command, ScheduleCall
from .events import Event
from .records import ActionRecord, CallRecord, ExecutionRecord, ExecutionState, TaskRecord

# (old, new) task states that start a task execution (``started_at``), as Mistral counts them
_STARTS = frozenset({(states.IDLE, states.RUNNING), (states.IDLE, states.RUNNING_DELAYED),
                     (states.WAITING, states.RUNNING), (states.IDLE, states.ERROR),
                     (states.ERROR, states.RUNNING)})
_NAMESPACE = uuid.UUID("6f1c1d0e-5a38-4c2b-9a49-3d1f3b7d0c11")


def derive_id(event_id: str, n: int) -> str:
    """The n-th id made while applying event ``event_id`` (a UUID-shaped string)."""
    return str(uuid.uuid5(_NAMESPACE, f"{event_id}/{n}"))


class Session:
    __slots__ = ("specs", "state", "header", "wf", "event", "time", "commands", "_n", "ctx_cache", "publishers",
                 "agenda", "_draining")

    def __init__(self, specs: SpecSource, state: ExecutionState) -> None:
        self.specs = specs
        self.state = state
        self.header: ExecutionRecord = state.header  # type: ignore[assignment]
        self.wf: WorkflowSpec | None = specs.workflow(self.header.workflow) if self.header.workflow else None
        self.commands: list[Command] = []
        self.ctx_cache: dict[str, tuple[Any, Any]] = {}
        self.event: Event | None = None
        self.time = 0.0
        self._n = 0
        # params ``notify``: empty for most executions, which then pay nothing for notifications
        self.publishers = notifications.publishers(self.header.params) if self.header.params else ()
        # work queue: see defer()
        self.agenda: deque[tuple[Callable[..., None], tuple[Any, ...]]] = deque()
        self._draining = False

    def begin(self, event: Event) -> None:
        self.event = event
        self.time = event.time
        self._n = 0

    def new_id(self) -> str:
        self._n += 1
        return derive_id(self.event.id, self._n)  # type: ignore[union-attr]

    def emit(self, command: Command) -> None:
        self.commands.append(command)

    # ---- the agenda: work that may lead to more work at once

    def defer(self, fn: Callable[..., None], *args: Any) -> None:
        """Run ``fn(self, *args)``: now if no deferred work is under way, else
        once the piece under way is done. Starting a task that ends within the
        event that started it (with-items over an empty list, items that end at
        once) leads to its transitions, which start more tasks: through this
        queue a chain of any length is a loop, not a recursion. Outside
        deferred work the call is synchronous: when it returns, all the work it
        led to is done."""
        if self._draining:
            self.agenda.append((fn, args))
            return
        self._draining = True
        try:
            fn(self, *args)
            self._work_off()
        finally:
            self._draining = False

    def after(self, fn: Callable[..., None], *args: Any) -> None:
        """Queue ``fn(self, *args)`` without running anything now; done at the
        next ``defer`` or when the event's handler returns (``decide`` drains)."""
        self.agenda.append((fn, args))

    def drain(self) -> None:
        if self._draining or not self.agenda:
            return
        self._draining = True
        try:
            self._work_off()
        finally:
            self._draining = False

    def _work_off(self) -> None:
        agenda = self.agenda
        while agenda:
            fn, args = agenda.popleft()
            fn(self, *args)

    # ---- state changes, checked against the tables of states.py

    def set_wf_state(self, new: str, info: str | None = None) -> None:
        h = self.header
        old = h.state
        h.state = states.check_workflow(old, new)
        h.state_info = info
        h.updated_at = self.time
        self.state.touch(h)
        if self.publishers:
            notifications.on_workflow(self, old, new)

    def set_task_state(self, task: TaskRecord, new: str, info: str | None = None) -> None:
        old = task.state
        task.state = states.check_task(old, new)
        task.state_info = info
        task.updated_at = self.time
        if (old, new) in _STARTS:  # first start (or failed start), rerun
            task.started_at = self.time
            task.finished_at = None
        if new in states.COMPLETED:
            task.finished_at = self.time
        was_active = old not in states.COMPLETED and old != states.WAITING
        is_active = new not in states.COMPLETED and new != states.WAITING
        if was_active != is_active:
            self.header.active += 1 if is_active else -1
            self.state.touch(self.header)
            # an ERROR task that runs again (retry, rerun, a join run again or fired after all) is
            # no longer an unhandled error; its next end decides
            if old == states.ERROR and self.header.unhandled.pop(task.id, None) is not None:
                task.handled = False
        self.state.touch(task)
        if self.publishers:
            notifications.on_task(self, task, old, new)

    def set_run_state(self, record: ActionRecord, new: str) -> None:
        """An action or sub-workflow run changes state. Counts the PAUSED
        sub-workflow runs: of the execution (``paused_children``) and of the
        current run of their task (``paused_runs``), so that following a
        child's pause or resume never scans the children."""
        old = record.state
        record.state = states.check_action(old, new)
        record.updated_at = self.time
        self.state.touch(record)
        if (old == states.PAUSED) != (new == states.PAUSED):
            step = 1 if new == states.PAUSED else -1
            h = self.header
            h.paused_children += step
            self.state.touch(h)
            task = self.state.tasks.get(record.task_id)
            if task is not None and record.run == task.runs:
                task.paused_runs += step
                self.state.touch(task)

    def touch(self, record: Any) -> None:
        self.state.touch(record)

    def schedule(self, task: TaskRecord, kind: str, delay: float) -> CallRecord:
        call = CallRecord(id=self.new_id(), kind=kind, due=self.time + delay, task_id=task.id, run=task.runs)
        self.state.put_call(call)
        self.emit(ScheduleCall(self.header.id, call_id=call.id, due=call.due, kind=kind))
        return call

    def cancel_call(self, call_id: str | None) -> None:
        call = self.state.calls.get(call_id) if call_id else None
        if call is not None and not call.fired:
            call.fired = True
            self.state.touch(call)
            self.emit(CancelCall(self.header.id, call_id=call.id))

    @property
    def running(self) -> bool:
        return self.header.state == states.RUNNING
