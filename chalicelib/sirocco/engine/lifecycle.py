"""Pause, resume, cancel and rerun: events from users. These are rare, so
they may look at every task (cancel does); the per-action path never does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import completion, states, tasks, with_items
from .commands import ExecutionFinished, ExecutionStateChanged, SignalSubworkflow
from .context import pin
from .events import Cancel, Pause, RerunTask, Resume, Stop, SubworkflowStateChanged
from .records import TaskRecord

if TYPE_CHECKING:
    from .session import Session


LIFECYCLE_IDS = 32  # user Pause / Resume event ids remembered (redeliveries come soon after)


def pause(session: "Session", event: Pause) -> None:
    if _first_delivery(session, event.id, event.signal):
        suspend(session, event.msg, own=not event.signal)


def _first_delivery(session: "Session", event_id: str, signal: int) -> bool:
    """False for an event already applied: a parent's signal by its number
    (or older than one applied), a user's Pause / Resume by its id."""
    h = session.header
    if not signal:
        if event_id in h.lifecycle_ids or not h.workflow:
            return False  # applied, or no such execution (nothing to pause or resume, nothing to write)
        h.lifecycle_ids = [*h.lifecycle_ids[-(LIFECYCLE_IDS - 1):], event_id]
        session.touch(h)
        return True
    if signal <= h.parent_signal:
        return False
    h.parent_signal = signal
    session.touch(h)
    return True


def suspend(session: "Session", info: str | None = None, own: bool = True) -> None:
    """Pause a RUNNING execution (a user's Pause, the ``pause`` engine command,
    pause-before, a paused sub-workflow, the parent's signal): its running
    sub-workflows are paused too (their tasks show PAUSED) and its parent is
    told (when it paused on its own, the parent pauses too: Mistral pauses
    the whole tree)."""
    h = session.header
    if h.state != states.RUNNING:
        return
    session.set_wf_state(states.PAUSED, info)
    _signal_children(session, states.RUNNING, states.PAUSED, "pause", info)
    _tell_parent(session, states.PAUSED, own)


def resume(session: "Session", event: Resume) -> None:
    if _first_delivery(session, event.id, event.signal):
        _resume(session, event.env, own=not event.signal)


def merged(env: dict, changes: dict) -> dict:
    """``changes`` laid over ``env`` key by key, nested objects merged too
    (Mistral's env update on resume and rerun)."""
    result = dict(env)
    for key, value in changes.items():
        old = result.get(key)
        result[key] = merged(old, value) if isinstance(old, dict) and isinstance(value, dict) else value
    return result


def _resume(session: "Session", env: dict | None, own: bool) -> None:
    h = session.header
    if h.state != states.PAUSED:
        return
    if env:
        h.params = {**h.params, "env": merged(h.params.get("env") or {}, env)}
    session.set_wf_state(states.RUNNING)
    _signal_children(session, states.PAUSED, states.RUNNING, "resume", None)
    _tell_parent(session, states.RUNNING, own)
    _replay_backlog(session)


def _replay_backlog(session: "Session") -> None:
    """The work held while PAUSED, in order (on resume, or on a rerun of an
    execution that ended while paused)."""
    h = session.header
    backlog, h.backlog = h.backlog, []
    for entry in backlog:
        kind = entry[0]
        # paused again: everything waits; ended (a task failed to start): held calls still fire,
        # their tasks run to their end as in Mistral, while no transition follows any more
        if h.state == states.PAUSED or (h.state != states.RUNNING and kind != "call"):
            h.backlog.append(entry)
            continue
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


def _signal_children(session: "Session", old: str, new: str, signal: str, msg: str | None) -> None:
    """Sub-workflow runs in state ``old`` go to ``new`` (PAUSED or RUNNING), and
    so do the tasks they belong to; each child execution gets the signal."""
    h = session.header
    if not h.children:
        return
    affected: dict[str, TaskRecord] = {}
    seq = 0
    for child_id, task_id in h.children.items():
        record = session.state.actions.get(child_id)
        if record is None or record.state != old:
            continue
        session.set_run_state(record, new)
        task = session.state.tasks.get(task_id)
        if task is not None:
            affected[task.id] = task
        if not seq:
            h.signals_sent += 1
            seq = h.signals_sent
        session.emit(SignalSubworkflow(h.id, child_id=child_id, signal=signal, msg=msg, seq=seq))
    for task in affected.values():
        sync_task(session, task)


def _tell_parent(session: "Session", state: str, own: bool) -> None:
    h = session.header
    if h.parent_execution_id:
        h.suspensions += 1
        session.emit(ExecutionStateChanged(h.id, state=state, own=own, seq=h.suspensions,
                                           parent_execution_id=h.parent_execution_id,
                                           parent_task_id=h.parent_task_id))


def sync_task(session: "Session", task: TaskRecord) -> None:
    """A sub-workflow task shows PAUSED while one of its current children is
    paused, RUNNING otherwise (Mistral)."""
    if task.state not in (states.RUNNING, states.PAUSED):
        return
    want = states.PAUSED if task.paused_runs > 0 else states.RUNNING
    if task.state != want:
        session.set_task_state(task, want)


def child_state_changed(session: "Session", event: SubworkflowStateChanged) -> None:
    """A sub-workflow paused or resumed: the run and its task follow. When the
    child did it on its own, this execution follows too: it pauses (with its
    other sub-workflows), or resumes once no sub-workflow is paused (Mistral)."""
    h = session.header
    record = session.state.actions.get(event.execution_id)
    if record is None or event.execution_id not in h.children or event.seq <= record.reported:
        return  # unknown, finished, or an older / repeated report
    record.reported = event.seq
    session.touch(record)
    if states.is_completed(h.state) or event.state not in (states.PAUSED, states.RUNNING):
        return
    if record.state != event.state:
        session.set_run_state(record, event.state)
    task = session.state.tasks.get(record.task_id)
    if task is not None and record.run == task.runs:
        sync_task(session, task)
    if not event.own:
        return
    if event.state == states.PAUSED:
        suspend(session)
    elif h.paused_children == 0:
        _resume(session, None, own=True)


def cancel(session: "Session", event: Cancel) -> None:
    """Cancel the execution: it is CANCELLED at once with ``{result: msg}`` as
    output, so are its unfinished task executions, and its running
    sub-workflows are cancelled with the same message."""
    h = session.header
    if states.is_completed(h.state) or h.state == states.IDLE and not h.workflow:
        return
    if event.signal and not _first_delivery(session, event.id, event.signal):
        return  # a user's Cancel needs no id: once applied the execution has ended
    h.output = {"result": event.msg}
    session.set_wf_state(states.CANCELLED, event.msg)
    for task in session.state.task_list():
        if not states.is_completed(task.state):
            session.set_task_state(task, states.CANCELLED, event.msg)
            session.cancel_call(task.timeout_call)
    for call in session.state.calls.values():
        session.cancel_call(call.id)
    seq = 0
    for child_id in h.children:
        record = session.state.actions.get(child_id)
        if record is not None and not states.is_completed(record.state):
            if not seq:
                h.signals_sent += 1
                seq = h.signals_sent
            session.emit(SignalSubworkflow(h.id, child_id=child_id, signal="cancel", msg=event.msg, seq=seq))
    session.emit(ExecutionFinished(h.id, state=states.CANCELLED, state_info=event.msg, output=h.output,
                                   parent_execution_id=h.parent_execution_id, parent_task_id=h.parent_task_id))


def rerun(session: "Session", event: RerunTask) -> None:
    """Run a failed task again (all items, or with ``reset=False`` only the
    failed with-items iterations), or skip it, optionally with new env values."""
    h = session.header
    task = session.state.tasks.get(event.task_id)
    if event.id in h.reruns or task is None or task.state != states.ERROR:
        return
    if h.state not in (states.ERROR, states.RUNNING, states.PAUSED):
        return
    h.reruns.append(event.id)
    if event.env:
        h.params = {**h.params, "env": merged(h.params.get("env") or {}, event.env)}
    replay = False
    if h.state == states.ERROR:
        session.set_wf_state(states.RUNNING)
        h.output = None
        replay = bool(h.backlog)  # it ended while PAUSED: what the pause held goes on now
    h.unhandled.pop(task.id, None)
    task.retries = 0
    task.handled = False
    # the tasks its failed run started keep the context they started with: its published values
    # are about to change (a scan, as reruns are rare)
    for other in session.state.tasks.values():
        if task.id in other.parents and other.state != states.WAITING and pin(session, other):
            session.touch(other)
    spec = tasks.spec_of(session, task)
    if event.skip:
        _skip(session, task, spec)
    elif spec.with_items and not event.reset and task.id in session.state.items:
        tasks.new_run(session, task, indices=with_items.failed_indices(session, task))
    else:
        session.set_task_state(task, states.RUNNING)
        task.timeout_call = None
        tasks.run(session, task)
    if replay:
        _replay_backlog(session)
    completion.check(session)


def _skip(session: "Session", task: TaskRecord, spec: Any) -> None:
    """End a failed task SKIPPED as Mistral's skip does: publish-on-skip, then
    its on-skip transitions (on-success when none is taken)."""
    session.set_task_state(task, states.SKIPPED, "Task was skipped.")
    if spec.publish_on_skip:
        try:
            task.published = tasks.publish_values(session, spec.publish_on_skip, task)
        except Exception as exc:
            tasks.after_error(session, task, str(exc))
            return
    tasks.complete(session, task)


def stop(session: "Session", event: Stop) -> None:
    """End the execution now as SUCCESS or ERROR (CANCELLED is ``Cancel``)."""
    h = session.header
    if states.is_completed(h.state) or h.state == states.IDLE:
        return
    if event.state == states.SUCCESS:
        completion.succeed(session, None, event.msg)
    elif event.state == states.ERROR and h.state != states.PAUSED:
        completion.fail(session, event.msg, None)
