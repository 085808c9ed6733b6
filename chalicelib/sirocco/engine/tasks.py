"""The life of a task execution: created, started (pause-before,
wait-before), run (timeout, with-items, actions), each run finished (fail-on,
publish, retry, wait-after), completed (transitions)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sirocco.language import TaskSpec

from . import completion, notifications, policies, states, with_items
from .action_runs import StartError, action_id, launch, transform
from .context import ev, inbound, link
from .records import ActionRecord, ItemsRecord, TaskRecord

if TYPE_CHECKING:
    from .session import Session

_UNFINISHED = (states.RUNNING, states.PAUSED)


def spec_of(session: "Session", task: TaskRecord) -> TaskSpec:
    return session.wf.tasks[task.name]  # type: ignore[union-attr]


def create(session: "Session", name: str, parents: tuple[str, ...], waiting: bool = False) -> TaskRecord:
    """A new task execution, IDLE and linked to ``parents``; or WAITING (a join: linked when it fires)."""
    h = session.header
    h.seq += 1
    spec = session.wf.tasks[name]  # type: ignore[union-attr]
    task = TaskRecord(id=session.new_id(), name=name, seq=h.seq,
                      state=states.WAITING if waiting else states.IDLE,
                      created_at=session.time, updated_at=session.time,
                      kind="WORKFLOW" if spec.workflow is not None else "ACTION")
    if not waiting:
        link(session, task, parents)
        h.active += 1
    h.last_task[name] = task.id
    session.state.put_task(task)
    session.touch(h)
    return task


def start(session: "Session", task: TaskRecord) -> None:
    """pause-before, then wait-before, then run."""
    spec = spec_of(session, task)
    try:
        if spec.pause_before is not None and not task.paused_before and policies.truthy(session, spec.pause_before, task):
            if session.publishers:  # Mistral ran the task, then held it
                notifications.emit_task(session, task, notifications.task_launch_event(task, states.IDLE),
                                        states.RUNNING)
            task.paused_before = True
            session.touch(task)
            session.header.backlog.append(("start", task.id))
            from .lifecycle import suspend

            suspend(session)
            return
        delay = policies.seconds(session, spec.wait_before, task) if spec.wait_before is not None else 0.0
    except Exception as exc:
        start_failed(session, task, str(exc))
        return
    if delay > 0:
        session.set_task_state(task, states.RUNNING_DELAYED)
        session.schedule(task, "wait-before", delay)
        return
    run(session, task)


def run(session: "Session", task: TaskRecord) -> None:
    """First run: the with-items values, then the actions."""
    spec = spec_of(session, task)
    try:
        if spec.with_items:
            session.state.put_items(ItemsRecord(task.id, with_items.evaluate_items(session, spec, task)))
            task.concurrency = int(policies.value(session, spec.concurrency, task) or 0)
    except Exception as exc:
        start_failed(session, task, str(exc))
        return
    new_run(session, task)


def new_run(session: "Session", task: TaskRecord, indices: list[int] | None = None, append: bool = False) -> None:
    """Start a run: the first, a retry, a join re-run or a rerun (``indices``:
    only those items). ``append`` keeps earlier runs' results (join re-runs)."""
    spec = spec_of(session, task)
    task.runs += 1
    task.paused_runs = 0  # counts this run's paused sub-workflows
    task.accepted = [*task.accepted, task.runs] if append else [task.runs]
    if task.state != states.RUNNING:
        session.set_task_state(task, states.RUNNING)
    else:
        session.touch(task)
    if spec.timeout is not None:  # each attempt has its own timeout
        session.cancel_call(task.timeout_call)
        task.timeout_call = None
        try:
            limit = policies.seconds(session, spec.timeout, task)
        except Exception as exc:
            start_failed(session, task, str(exc))
            return
        if limit > 0:
            task.timeout_call = session.schedule(task, "timeout", limit).id
    try:
        if spec.with_items:
            if indices is not None:  # items not rerun keep the result of the run that last ran them
                runs = dict(task.item_runs or {})
                for index in range(len(session.state.items[task.id].items)):
                    runs.setdefault(index, task.runs - 1)
                task.item_runs = runs
            else:
                task.item_runs = None
            task.item_indices = indices
            task.items_total = len(indices) if indices is not None else len(session.state.items[task.id].items)
            task.items_next = task.items_running = task.items_done = task.items_failed = 0
            if task.items_total == 0:
                finish_run(session, task, states.SUCCESS)
                return
            for record in with_items.fill(session, spec, task):
                session.defer(action_finished, task, record)
        else:
            record = launch(session, spec, task, 0, None)
            if record.state != states.RUNNING:  # ended at once (a sub-workflow refused its input)
                session.defer(action_finished, task, record)
    except StartError as exc:
        start_failed(session, task, str(exc))


def on_action_completed(session: "Session", action_id_: str, result: Any, failed: bool,
                        info: str | None = None, cancelled: bool = False) -> None:
    record = session.state.actions.get(action_id_)
    if record is None or record.state not in _UNFINISHED:
        return  # unknown or already applied
    if not failed and record.transforms:
        try:
            result = transform(session, record, result)
        except Exception as exc:
            failed, result = True, str(exc)
    end = states.CANCELLED if cancelled else states.ERROR if failed else states.SUCCESS
    record.result = result
    record.error_info = info
    session.set_run_state(record, end)
    task = session.state.tasks.get(record.task_id)
    if task is not None:
        action_finished(session, task, record)


def action_finished(session: "Session", task: TaskRecord, record: ActionRecord) -> None:
    if record.run != task.runs or task.state != states.RUNNING:
        return  # a stale run: timed out, retried, cancelled
    spec = spec_of(session, task)
    if spec.with_items:
        if record.state == states.CANCELLED:  # one cancelled item ends the task (Mistral)
            finish_run(session, task, states.CANCELLED)
            return
        task.items_running -= 1
        task.items_done += 1
        if record.state != states.SUCCESS:
            task.items_failed += 1
        if task.item_runs is not None:
            task.item_runs[record.index] = record.run
        session.touch(task)
        if task.items_done < task.items_total:
            # also once fail/succeed ended the execution: the task runs to its end, as in Mistral
            # (complete() follows no transition then)
            try:
                for ended in with_items.fill(session, spec, task):
                    session.defer(action_finished, task, ended)  # a loop over the agenda, not a recursion
            except StartError as exc:
                start_failed(session, task, str(exc))
            return
        finish_run(session, task, states.ERROR if task.items_failed else states.SUCCESS)
        return
    finish_run(session, task, record.state, record)


def _error_info(record: ActionRecord | None, spec: TaskSpec, state: str) -> str | None:
    if state == states.CANCELLED:  # the child execution's state_info, as Mistral
        return "One or more actions was cancelled." if spec.with_items else record.error_info if record else None
    if record is None:
        return "One or more actions had failed." if spec.with_items else "The action failed."
    if record.error_info:
        return record.error_info
    if isinstance(record.result, dict) and record.is_workflow and "result" in record.result:
        return str(record.result["result"])
    return str(record.result)


def finish_run(session: "Session", task: TaskRecord, state: str, record: ActionRecord | None = None) -> None:
    """A run ended: result, fail-on, then ``settle`` (publish, retry, wait-after, complete)."""
    spec = spec_of(session, task)
    session.cancel_call(task.timeout_call)  # the attempt is over
    task.timeout_call = None
    if spec.with_items:
        task.result = with_items.results(session, task)
    else:
        actions = session.state.actions
        runs = [actions.get(action_id(task, r, 0)) for r in task.accepted]
        results = [run.result for run in runs if run is not None]
        task.result = results[0] if len(results) == 1 else results
    task.has_result = True
    info = None if state == states.SUCCESS else _error_info(record, spec, state)
    outcome = state  # what publishes: the action's outcome, even when fail-on fails the task (Mistral)
    try:
        if state == states.SUCCESS and spec.fail_on is not None:
            if policies.truthy(session, spec.fail_on, task, inbound(session, task)):
                state, info = states.ERROR, "Failed by 'fail-on' policy"
    except Exception as exc:
        after_error(session, task, str(exc))
        return
    settle(session, task, state, info, outcome)


def settle(session: "Session", task: TaskRecord, state: str, info: str | None, outcome: str | None = None) -> None:
    """An attempt ended in ``state`` (its action, or its timeout): publish
    (``publish`` if ``outcome`` is SUCCESS, else ``publish-on-error``), then
    retry, wait-after or complete. A CANCELLED task only completes."""
    spec = spec_of(session, task)
    session.set_task_state(task, state, info)
    if state == states.CANCELLED:
        complete(session, task)
        return
    publish = spec.publish if (outcome or state) == states.SUCCESS else spec.publish_on_error
    try:
        if publish:
            task.published = publish_values(session, publish, task)
        if not _keep_result(session, spec, task):
            task.result = [None] * len(task.result) if spec.with_items and isinstance(task.result, list) else None
        delay = policies.should_retry(session, spec, task, state)
    except Exception as exc:
        after_error(session, task, str(exc))
        return
    if delay is not None:
        task.retries += 1
        session.set_task_state(task, states.RUNNING_DELAYED, task.state_info)
        if delay > 0:
            session.schedule(task, "retry", delay)
        else:
            new_run(session, task)
        return
    if spec.wait_after is not None:
        try:
            wait = policies.seconds(session, spec.wait_after, task)
        except Exception as exc:
            after_error(session, task, str(exc))
            return
        if wait > 0:
            task.pending_state = state
            session.set_task_state(task, states.RUNNING_DELAYED, task.state_info)
            session.schedule(task, "wait-after", wait)
            return
    complete(session, task)


_MERGED: dict[int, tuple[Any, dict[str, Any]]] = {}


def publish_values(session: "Session", publish: Any, task: TaskRecord) -> dict[str, Any]:
    """In 23.0.0 every publish is branch scope (``global``/``atomic`` keys included).
    The merged dict is made once per publish spec (so that what it reads is
    found once too, context.analysed)."""
    hit = _MERGED.get(id(publish))
    if hit is not None and hit[0] is publish:
        values = hit[1]
    else:
        values = {**publish.branch, **publish.global_, **publish.atomic}
        if len(_MERGED) >= 1024:
            _MERGED.clear()
        _MERGED[id(publish)] = (publish, values)  # holds publish: its id is not reused meanwhile
    return ev(session, values, inbound(session, task), task)


def _keep_result(session: "Session", spec: TaskSpec, task: TaskRecord) -> bool:
    if isinstance(spec.keep_result, bool):
        return spec.keep_result
    return policies.truthy(session, spec.keep_result, task)


def complete(session: "Session", task: TaskRecord) -> None:
    """The task is done for good (this run): follow its transitions."""
    from . import transitions

    session.cancel_call(task.timeout_call)
    task.timeout_call = None
    h = session.header
    if task.state == states.CANCELLED:  # no transition follows a cancelled task
        h.cancelled[task.id] = task.name
        session.touch(h)
        return
    if states.is_completed(h.state):
        return  # succeed/fail ended the execution: nothing follows (Mistral)
    if h.state == states.PAUSED:
        h.backlog.append(("transitions", task.id))
        session.touch(h)
        return
    transitions.after_task(session, task)
    if task.pending_reruns and session.running:  # arrivals while this join ran: run it again
        task.pending_reruns -= 1
        link(session, task, tuple(task.sources or ()))
        new_run(session, task, append=True)


def on_call(session: "Session", call_id: str) -> None:
    call = session.state.calls.get(call_id)
    if call is None or call.fired:
        return
    h = session.header
    if h.state == states.PAUSED and call.kind != "timeout":
        if ("call", call_id) not in h.backlog:
            h.backlog.append(("call", call_id))
            session.touch(h)
        return
    call.fired = True
    session.touch(call)
    task = session.state.tasks.get(call.task_id)
    if task is None:
        return
    # also once fail/succeed ended the execution: retries, waits and timeouts go on and the task
    # ends, as in Mistral (complete() follows no transition then)
    if call.kind == "timeout":
        if states.is_completed(task.state) or task.timeout_call != call.id:
            return
        task.timeout_call = None
        spec = spec_of(session, task)
        if spec.with_items:  # the items that ended, as they are
            task.result = with_items.results(session, task)
        else:
            task.result = None
        info = f"Task timed out [timeout(s)={spec.timeout}]."
        end_running_actions(session, task, info)
        # a timeout fails the attempt; retry runs it again (Mistral 23 retries timeouts)
        settle(session, task, states.ERROR, info)
        return
    if task.state != states.RUNNING_DELAYED or call.run != task.runs:
        return  # stale
    if call.kind == "wait-before":
        run(session, task)
    elif call.kind == "retry":
        new_run(session, task)
    elif call.kind == "wait-after":
        state = task.pending_state or states.SUCCESS
        task.pending_state = None
        session.set_task_state(task, state, task.state_info)
        complete(session, task)


def end_running_actions(session: "Session", task: TaskRecord, info: str) -> None:
    """The action runs of the task's current attempt still RUNNING end as ERROR with
    ``info``: a timed-out attempt leaves no action RUNNING for ever (its worker may be
    lost), and a late result of one is ignored. Sub-workflow runs go on: their child
    executions end by themselves, and the engine ignores their result."""
    for index in range(task.items_total if task.items_total >= 0 else 1):
        record = session.state.actions.get(action_id(task, task.runs, index))
        if record is not None and not record.is_workflow and record.state == states.RUNNING:
            record.result = info
            session.set_run_state(record, states.ERROR)


def start_failed(session: "Session", task: TaskRecord, msg: str) -> None:
    """Mistral's "Failed to run task": the task is ERROR, its on-error is not
    followed and the execution fails at once."""
    info = f"Failed to run task [error={msg}, wf={session.header.workflow}, task={task.name}]"
    _fail_hard(session, task, info)


def after_error(session: "Session", task: TaskRecord, msg: str) -> None:
    """An expression failed after the action ended (publish, guard): the task
    is ERROR, no transition is followed and the execution fails at once."""
    _fail_hard(session, task, msg)


def _fail_hard(session: "Session", task: TaskRecord, info: str) -> None:
    if task.state == states.WAITING:
        session.set_task_state(task, states.IDLE)
    session.set_task_state(task, states.ERROR, info)  # also when already ERROR: the new state_info is written
    session.cancel_call(task.timeout_call)
    task.timeout_call = None
    h = session.header
    h.unhandled[task.id] = task.name
    session.touch(h)
    if not states.is_completed(h.state):
        completion.fail(session, completion.failure_message(session), None)
