"""Events: what happened to an execution. Each has an ``id`` (ids the engine
derives come from it) and a ``time`` (seconds since the epoch, from the shell;
the engine has no clock)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    time: float


@dataclass(frozen=True, slots=True)
class StartExecution(Event):
    """Start the execution the state belongs to. ``params`` carries ``env``
    and, for reverse workflows, ``task_name``. ``parent_*`` link a sub-workflow
    to the task (and action run) that started it."""

    workflow: str = ""
    input: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    parent_execution_id: str | None = None
    parent_task_id: str | None = None
    parent_action_id: str | None = None
    root_execution_id: str | None = None


@dataclass(frozen=True, slots=True)
class ActionCompleted(Event):
    """An action run ended: ``result`` on success; ``error`` set (any value,
    e.g. std.fail's error_data or a message) on failure. Also sent from
    outside for an action the executor left RUNNING (async actions)."""

    action_id: str = ""
    result: Any = None
    error: Any = None
    failed: bool = False
    cancelled: bool = False  # ended as CANCELLED (an async action cancelled through the API)


@dataclass(frozen=True, slots=True)
class SubworkflowCompleted(Event):
    """A child execution ended; ``execution_id`` is the child's id (= the
    action run id the parent gave it)."""

    execution_id: str = ""
    state: str = ""
    output: Any = None
    state_info: str | None = None


@dataclass(frozen=True, slots=True)
class CallFired(Event):
    """A delayed call came due."""

    call_id: str = ""


@dataclass(frozen=True, slots=True)
class SubworkflowStateChanged(Event):
    """A child execution paused or resumed: ``state`` is PAUSED or RUNNING.
    The calling task follows it (PAUSED / RUNNING); when the child did it on
    its own (a user, its ``pause`` or ``pause-before``: ``own``), so does
    this execution, as Mistral."""

    execution_id: str = ""
    state: str = ""
    own: bool = True  # False: the change was this execution's order (the task follows, nothing more)
    seq: int = 0  # the child's count of such changes: an older or repeated report is dropped


@dataclass(frozen=True, slots=True)
class Pause(Event):
    """Pause the execution (and its running sub-workflows). ``signal`` > 0:
    the parent execution ordered it (its ``SignalSubworkflow`` number; an
    older or repeated signal is dropped)."""

    msg: str | None = None
    signal: int = 0


@dataclass(frozen=True, slots=True)
class Resume(Event):
    env: dict[str, Any] | None = None
    signal: int = 0


@dataclass(frozen=True, slots=True)
class Cancel(Event):
    msg: str | None = None
    signal: int = 0


@dataclass(frozen=True, slots=True)
class Stop(Event):
    """End the execution at once as SUCCESS (its output evaluated) or ERROR
    (output-on-error), ``msg`` its state_info: Mistral's PUT of that state.
    Running tasks are left to end on their own, as in Mistral; a PAUSED
    execution is not failed this way (Mistral ignores it)."""

    state: str = "ERROR"
    msg: str | None = None


@dataclass(frozen=True, slots=True)
class RerunTask(Event):
    """Run a failed task execution again, or skip it. ``reset=False`` re-runs only
    the failed with-items iterations; ``env`` replaces values of the execution env."""

    task_id: str = ""
    reset: bool = True
    env: dict[str, Any] | None = None
    skip: bool = False  # instead of running it, end it SKIPPED and follow on-skip (else on-success)
