"""``decide``: apply a batch of events to one execution's state.

Pure: no I/O, no clock, no randomness; ids are derived from event ids. The
state's records are updated in place (the shell loaded them for this batch);
``Decision.changed`` lists the records to write and ``Decision.commands`` what
to send, to be saved together (outbox). Applying a batch that was already
applied changes nothing: every event names the record and step it acts on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from . import completion, lifecycle, start, subworkflows, tasks
from .catalog import SpecSource
from .commands import Command
from .events import (ActionCompleted, CallFired, Cancel, Event, Pause, RerunTask, Resume, StartExecution, Stop,
                     SubworkflowCompleted, SubworkflowStateChanged)
from .records import ExecutionState, Record
from .session import Session


@dataclass(slots=True)
class Decision:
    state: ExecutionState
    changed: list[Record]
    commands: list[Command]


def _action_completed(session: Session, event: ActionCompleted) -> None:
    failed = event.failed or event.error is not None
    tasks.on_action_completed(session, event.action_id, event.error if failed else event.result, failed,
                              cancelled=event.cancelled)


def _call_fired(session: Session, event: CallFired) -> None:
    tasks.on_call(session, event.call_id)


HANDLERS: dict[type, Callable[[Session, Event], None]] = {
    StartExecution: start.start_execution,  # type: ignore[dict-item]
    ActionCompleted: _action_completed,  # type: ignore[dict-item]
    SubworkflowCompleted: subworkflows.on_child_finished,  # type: ignore[dict-item]
    SubworkflowStateChanged: lifecycle.child_state_changed,  # type: ignore[dict-item]
    CallFired: _call_fired,  # type: ignore[dict-item]
    Pause: lifecycle.pause,  # type: ignore[dict-item]
    Resume: lifecycle.resume,  # type: ignore[dict-item]
    Cancel: lifecycle.cancel,  # type: ignore[dict-item]
    RerunTask: lifecycle.rerun,  # type: ignore[dict-item]
    Stop: lifecycle.stop,  # type: ignore[dict-item]
}


def decide(specs: SpecSource, state: ExecutionState, events: Sequence[Event]) -> Decision:
    state.changed = {}
    session = Session(specs, state)
    for event in events:
        session.begin(event)
        HANDLERS[type(event)](session, event)
        session.drain()
        if session.wf is not None:
            completion.check(session)
        if len(session.ctx_cache) > 4096:
            session.ctx_cache.clear()
    return Decision(state, list(state.changed.values()), session.commands)
