"""Commands: what the shell must do after saving the records a batch changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Command:
    execution_id: str


@dataclass(frozen=True, slots=True)
class RunAction(Command):
    """Run action ``name`` (a registered action, ad-hoc actions already
    resolved to their base) with ``input``; answer with ``ActionCompleted``
    carrying ``action_id``."""

    action_id: str = ""
    task_id: str = ""
    name: str = ""
    input: dict[str, Any] = field(default_factory=dict)
    target: str | None = None
    timeout: float | None = None
    safe_rerun: bool = False
    index: int = 0


@dataclass(frozen=True, slots=True)
class StartSubworkflow(Command):
    """Create child execution ``child_id`` of ``workflow`` and start it; it
    answers with ``SubworkflowCompleted`` (through ``ExecutionFinished``)."""

    child_id: str = ""
    task_id: str = ""
    workflow: str = ""
    input: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    root_execution_id: str = ""
    index: int = 0


@dataclass(frozen=True, slots=True)
class ScheduleCall(Command):
    """Deliver ``CallFired(call_id)`` to this execution at ``due``."""

    call_id: str = ""
    due: float = 0.0
    kind: str = ""


@dataclass(frozen=True, slots=True)
class CancelCall(Command):
    call_id: str = ""


@dataclass(frozen=True, slots=True)
class SignalSubworkflow(Command):
    """Deliver ``Pause`` / ``Resume`` / ``Cancel`` (``signal`` = "pause" |
    "resume" | "cancel", with ``msg``) to child execution ``child_id``, with
    ``signal=seq``: pause, resume and cancel reach running sub-workflows."""

    child_id: str = ""
    signal: str = ""
    msg: str | None = None
    seq: int = 0  # numbers this execution's signals: the child drops older or repeated ones


@dataclass(frozen=True, slots=True)
class ExecutionStateChanged(Command):
    """This sub-workflow execution paused or resumed: deliver
    ``SubworkflowStateChanged(execution_id, state, own, seq)`` to the parent."""

    state: str = ""
    own: bool = True
    seq: int = 0
    parent_execution_id: str | None = None
    parent_task_id: str | None = None


@dataclass(frozen=True, slots=True)
class Notify(Command):
    """A notification, emitted only for executions whose params carry
    ``notify`` (Mistral's list of publishers). ``event`` is Mistral's event
    type (WORKFLOW_LAUNCHED, TASK_SUCCEEDED ...); ``entity_id`` the workflow or
    task execution it is about; ``data`` the payload Mistral sends, ``event``
    included, less ``workflow_id`` and ``project_id`` which the shell adds;
    ``publishers`` the publishers whose ``event_types`` let this event through
    (each a dict: ``type`` and that publisher's own options, e.g. ``url``);
    ``timestamp`` the event time."""

    event: str = ""
    entity: str = ""  # "workflow" | "task"
    entity_id: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    publishers: tuple[dict[str, Any], ...] = ()
    timestamp: float = 0.0


@dataclass(frozen=True, slots=True)
class ExecutionFinished(Command):
    """The execution reached a terminal state (or was paused for good): tell the
    parent, if any, with a ``SubworkflowCompleted``."""

    state: str = ""
    state_info: str | None = None
    output: Any = None
    parent_execution_id: str | None = None
    parent_task_id: str | None = None
