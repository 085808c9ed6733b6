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
class Notify(Command):
    """A notification (Mistral's event names: WORKFLOW_SUCCEEDED, TASK_FAILED ...)."""

    event: str = ""
    task_id: str | None = None
    task_name: str | None = None
    state: str = ""


@dataclass(frozen=True, slots=True)
class ExecutionFinished(Command):
    """The execution reached a terminal state (or was paused for good): tell the
    parent, if any, with a ``SubworkflowCompleted``."""

    state: str = ""
    state_info: str | None = None
    output: Any = None
    parent_execution_id: str | None = None
    parent_task_id: str | None = None
