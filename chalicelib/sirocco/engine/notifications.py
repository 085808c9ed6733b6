"""Notifications: Mistral's event types for workflow and task state changes,
emitted as ``Notify`` commands only when the execution's params carry
``notify`` (a list of publishers, each optionally filtered by
``event_types``). An execution without ``notify`` pays one attribute test
per state change.

Event types follow Mistral 23.0.0's table of (from state, to state): a task
entering RUNNING is TASK_LAUNCHED, or TASK_RESUMED from IDLE (pause-before),
WAITING (a join firing) or PAUSED, or TASK_RERUN from ERROR; SUCCESS, ERROR,
CANCELLED, PAUSED, SKIPPED give TASK_SUCCEEDED ... TASK_SKIPPED. So a retry
or the end of wait-before is another TASK_LAUNCHED, and the end of
wait-after another TASK_SUCCEEDED, as in Mistral. Sirocco's few different
steps are mapped to what Mistral sends:

- a task whose start is delayed (wait-before) goes IDLE -> RUNNING_DELAYED
  (Mistral: IDLE -> RUNNING -> DELAYED): TASK_LAUNCHED;
- a task held by pause-before stays IDLE (Mistral: RUNNING, then IDLE):
  TASK_LAUNCHED with state RUNNING when it is held, TASK_RESUMED on resume;
- a task failing to start goes IDLE -> ERROR (Mistral: RUNNING, then
  ERROR): TASK_LAUNCHED, then TASK_FAILED.

Transitions that Mistral maps to no event (into DELAYED, WAITING, IDLE) send
nothing here (Mistral sends them to unfiltered publishers with
``"event": null``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import states
from .commands import Notify
from .context import stamp

if TYPE_CHECKING:
    from .records import TaskRecord
    from .session import Session

WORKFLOW_LAUNCHED = "WORKFLOW_LAUNCHED"
WORKFLOW_SUCCEEDED = "WORKFLOW_SUCCEEDED"
WORKFLOW_FAILED = "WORKFLOW_FAILED"
WORKFLOW_CANCELLED = "WORKFLOW_CANCELLED"
WORKFLOW_PAUSED = "WORKFLOW_PAUSED"
WORKFLOW_RESUMED = "WORKFLOW_RESUMED"
WORKFLOW_RERUN = "WORKFLOW_RERUN"
TASK_LAUNCHED = "TASK_LAUNCHED"
TASK_SUCCEEDED = "TASK_SUCCEEDED"
TASK_FAILED = "TASK_FAILED"
TASK_CANCELLED = "TASK_CANCELLED"
TASK_PAUSED = "TASK_PAUSED"
TASK_RESUMED = "TASK_RESUMED"
TASK_RERUN = "TASK_RERUN"
TASK_SKIPPED = "TASK_SKIPPED"

WORKFLOW_EVENTS = (WORKFLOW_LAUNCHED, WORKFLOW_SUCCEEDED, WORKFLOW_FAILED, WORKFLOW_CANCELLED,
                   WORKFLOW_PAUSED, WORKFLOW_RESUMED, WORKFLOW_RERUN)
TASK_EVENTS = (TASK_LAUNCHED, TASK_SUCCEEDED, TASK_FAILED, TASK_CANCELLED, TASK_PAUSED, TASK_RESUMED,
               TASK_RERUN, TASK_SKIPPED)

_WF_ENDS = {states.SUCCESS: WORKFLOW_SUCCEEDED, states.ERROR: WORKFLOW_FAILED,
            states.CANCELLED: WORKFLOW_CANCELLED, states.PAUSED: WORKFLOW_PAUSED}
_WF_RUNNING_FROM = {states.PAUSED: WORKFLOW_RESUMED, states.ERROR: WORKFLOW_RERUN}
_TASK_ENDS = {states.SUCCESS: TASK_SUCCEEDED, states.ERROR: TASK_FAILED, states.CANCELLED: TASK_CANCELLED,
              states.PAUSED: TASK_PAUSED, states.SKIPPED: TASK_SKIPPED}
_TASK_RUNNING_FROM = {states.PAUSED: TASK_RESUMED, states.WAITING: TASK_RESUMED, states.ERROR: TASK_RERUN}

# the state names Mistral shows
_SHOWN = {states.RUNNING_DELAYED: "DELAYED"}


def publishers(params: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    """The publishers of params ``notify`` (entries that are not mappings are ignored, as Mistral)."""
    given = params.get("notify")
    if not isinstance(given, (list, tuple)):
        return ()
    return tuple(p for p in given if isinstance(p, dict))


def _targets(session: "Session", event: str) -> tuple[dict[str, Any], ...]:
    return tuple(p for p in session.publishers if not p.get("event_types") or event in p["event_types"])


def workflow_event(old: str, new: str) -> str | None:
    if new == states.RUNNING:
        return _WF_RUNNING_FROM.get(old, WORKFLOW_LAUNCHED)
    return _WF_ENDS.get(new)


def task_launch_event(task: "TaskRecord", old: str) -> str:
    """The event of a task entering RUNNING from ``old``."""
    if old == states.IDLE:
        return TASK_RESUMED if task.paused_before or task.arrived is not None else TASK_LAUNCHED
    return _TASK_RUNNING_FROM.get(old, TASK_LAUNCHED)


def on_workflow(session: "Session", old: str, new: str) -> None:
    if old == new:
        return
    event = workflow_event(old, new)
    if event is None:
        return
    targets = _targets(session, event)
    if not targets:
        return
    h = session.header
    data = {
        "id": h.id,
        "name": h.workflow,
        "workflow_name": h.workflow,
        "workflow_namespace": h.params.get("namespace", ""),
        "state": h.state,
        "state_info": h.state_info,
        "task_execution_id": h.parent_task_id,
        "root_execution_id": h.root_execution_id,
        "created_at": stamp(h.created_at),
        "updated_at": stamp(h.updated_at),
        "event": event,
    }
    session.emit(Notify(h.id, event=event, entity="workflow", entity_id=h.id, data=data, publishers=targets,
                        timestamp=session.time))


def on_task(session: "Session", task: "TaskRecord", old: str, new: str) -> None:
    if old == new:
        return
    if new == states.RUNNING:
        emit_task(session, task, task_launch_event(task, old))
        return
    if new == states.RUNNING_DELAYED and old in (states.IDLE, states.WAITING):  # wait-before
        emit_task(session, task, task_launch_event(task, old), states.RUNNING)
        return
    if old == states.IDLE and new == states.ERROR:  # failed to start: Mistral ran it first
        emit_task(session, task, task_launch_event(task, old), states.RUNNING)
    event = _TASK_ENDS.get(new)
    if event is not None:
        emit_task(session, task, event)


def emit_task(session: "Session", task: "TaskRecord", event: str, state: str | None = None) -> None:
    targets = _targets(session, event)
    if not targets:
        return
    h = session.header
    shown = state or task.state
    data = {
        "id": task.id,
        "name": task.name,
        "workflow_execution_id": h.id,
        "workflow_name": h.workflow,
        "workflow_namespace": h.params.get("namespace", ""),
        "state": _SHOWN.get(shown, shown),
        "state_info": None if state else task.state_info,
        "type": task.kind,
        "created_at": stamp(task.created_at),
        "updated_at": stamp(task.updated_at),
        "started_at": stamp(task.started_at) if task.started_at is not None else None,
        "finished_at": stamp(task.finished_at) if task.finished_at is not None else None,
        "event": event,
    }
    session.emit(Notify(h.id, event=event, entity="task", entity_id=task.id, data=data, publishers=targets,
                        timestamp=session.time))
