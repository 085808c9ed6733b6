"""Pause, resume, cancel and rerun: events from users. These are rare, so
they may look at every task (cancel does); the per-action path never does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import completion, states, tasks, with_items
from .commands import ExecutionFinished
from .events import Cancel, Pause, RerunTask, Resume

if TYPE_CHECKING:
    from .session import Session


def pause(session: "Session", event: Pause) -> None:
    if session.header.state == states.RUNNING:
        session.set_wf_state(states.PAUSED)


def resume(session: "Session", event: Resume) -> None:
    h = session.header
    if h.state != states.PAUSED:
        return
    if event.env:
        h.params = {**h.params, "env": {**(h.params.get("env") or {}), **event.env}}
    session.set_wf_state(states.RUNNING)
    backlog, h.backlog = h.backlog, []
    for entry in backlog:
        if h.state != states.RUNNING:
            h.backlog.append(entry)
            continue
        kind = entry[0]
        if kind == "start":
            task = session.state.tasks[entry[1]]
            if task.state == states.IDLE:
                tasks.start(session, task)
        elif kind == "transitions":
            from . import transitions

            transitions.after_task(session, session.state.tasks[entry[1]])
        elif kind == "routes":
            from . import transitions

            transitions.dispatch(session, session.state.tasks[entry[1]], list(entry[2]))
        elif kind == "call":
            tasks.on_call(session, entry[1])


def cancel(session: "Session", event: Cancel) -> None:
    h = session.header
    if states.is_completed(h.state) or h.state == states.IDLE and not h.workflow:
        return
    for task in session.state.task_list():
        if not states.is_completed(task.state):
            session.set_task_state(task, states.CANCELLED, event.msg)
            session.cancel_call(task.timeout_call)
    for call in session.state.calls.values():
        session.cancel_call(call.id)
    h.output = {}
    session.set_wf_state(states.CANCELLED, event.msg)
    session.emit(ExecutionFinished(h.id, state=states.CANCELLED, state_info=event.msg, output={},
                                   parent_execution_id=h.parent_execution_id, parent_task_id=h.parent_task_id))


def rerun(session: "Session", event: RerunTask) -> None:
    """Run a failed task again (all items, or with ``reset=False`` only the
    failed with-items iterations), optionally with new env values."""
    h = session.header
    task = session.state.tasks.get(event.task_id)
    if event.id in h.reruns or task is None or task.state != states.ERROR:
        return
    if h.state not in (states.ERROR, states.RUNNING, states.PAUSED):
        return
    h.reruns.append(event.id)
    if event.env:
        h.params = {**h.params, "env": {**(h.params.get("env") or {}), **event.env}}
    if h.state == states.ERROR:
        session.set_wf_state(states.RUNNING)
        h.output = None
    h.unhandled.pop(task.id, None)
    task.retries = 0
    task.handled = False
    spec = tasks.spec_of(session, task)
    if spec.with_items and not event.reset and task.id in session.state.items:
        tasks.new_run(session, task, indices=with_items.failed_indices(session, task))
    else:
        session.set_task_state(task, states.RUNNING)
        task.timeout_call = None
        tasks.run(session, task)
    completion.check(session)
