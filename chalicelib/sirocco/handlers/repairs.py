"""What moves a quiet execution on: the engine events a ``SweepExecution`` becomes.

Run by the engine handler, the execution's only writer, after its load (which
resent any unsent outbox). It looks at every task, action run and delayed call and
returns the events the world should have sent, each with an id derived from what
it repairs (a repeat, or the real event arriving late, changes nothing):

- a delayed call ``quiet`` seconds past due and not fired -> ``CallFired`` (its
  timer message was lost);
- a running synchronous action past its timeout -> ``ActionCompleted`` failed with
  "Action timed out ..." (a lost worker); the task's own ``timeout`` rules when it
  has one (its call fires), else ``default_action_timeout``; asynchronous actions
  wait for their result as long as the task lets them;
- a sub-workflow run whose child execution ended -> ``SubworkflowCompleted`` with
  the child's state and output; whose child never started -> failed;
- an IDLE execution (its start was lost) -> its ``StartExecution`` again, rebuilt
  from the header the API stored (same id as the API's);
- a RUNNING execution in which nothing is under way at all -> ``Stop`` as ERROR,
  its state_info naming what was found.

The caller applies the events with ``decide`` as one batch (retry, on-error and
the rest then apply as usual).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from sirocco.engine import states
from sirocco.engine.events import ActionCompleted, CallFired, Event, StartExecution, Stop, SubworkflowCompleted
from sirocco.engine.records import ActionRecord, CallRecord, ExecutionState, TaskRecord
from sirocco.engine.session import derive_id
from sirocco.messaging import envelopes
from sirocco.messaging.routing import call_fired_id, engine_message

from .runtime import Runtime
from .sweeper import SweepSettings

STOPPED_BY_SWEEPER = "Stopped by the sweeper: the execution was RUNNING with nothing left that could move it"


@dataclass
class Diagnosis:
    """What a look at an execution found: the repair events, and what is still under way."""

    events: list[Event] = field(default_factory=list)
    moving: list[str] = field(default_factory=list)
    found: list[str] = field(default_factory=list)


def _records(mapping: Any) -> list[Any]:
    return list(mapping.values())


def diagnose(rt: Runtime, execution_id: str, state: ExecutionState, now: float,
             settings: SweepSettings) -> Diagnosis:
    """The events that move ``state`` on (none when something else will)."""
    h = state.header
    out = Diagnosis()
    if h.state == states.IDLE:
        if h.workflow and now - float(h.updated_at or 0) >= settings.quiet:
            out.events.append(_restart(execution_id, h, now))
            out.found.append("its start was not applied; started again")
        return out
    if h.state != states.RUNNING:
        return out
    tasks: dict[str, TaskRecord] = {t.id: t for t in _records(state.tasks)}
    calls = [c for c in _records(state.calls) if not c.fired]
    timed_tasks = {c.task_id for c in calls if c.kind == "timeout" and tasks.get(c.task_id) is not None
                   and tasks[c.task_id].timeout_call == c.id}
    for call in calls:
        _look_at_call(call, tasks.get(call.task_id), now, settings, out)
    for run in _records(state.actions):
        if run.state not in (states.RUNNING, states.PAUSED):
            continue
        task = tasks.get(run.task_id)
        if task is None or states.is_completed(task.state) or run.run != task.runs:
            continue  # a stale run: the engine ignores its result anyway
        if run.is_workflow:
            _look_at_child(rt, run, now, settings, out)
        else:
            _look_at_action(rt, run, run.task_id in timed_tasks, now, settings, out)
    if out.events or out.moving:
        return out
    open_tasks = sorted(f"{t.name} ({t.state})" for t in tasks.values() if not states.is_completed(t.state))
    info = (f"{STOPPED_BY_SWEEPER} (no running action, sub-workflow or delayed call"
            + (f"; unfinished tasks: {', '.join(open_tasks)}" if open_tasks else "; no unfinished task") + ")")
    out.events.append(Stop(derive_id(f"Swept:{execution_id}", int(now)), now, state=states.ERROR, msg=info))
    out.found.append("nothing under way: stopped as ERROR")
    return out


def _look_at_call(call: CallRecord, task: TaskRecord | None, now: float, settings: SweepSettings,
                  out: Diagnosis) -> None:
    if task is None or states.is_completed(task.state):
        return  # the engine ignores it: nothing waits on it
    if call.due + settings.quiet <= now:
        out.events.append(CallFired(call_fired_id(call.id), now, call_id=call.id))
        out.found.append(f"{call.kind} call of task {task.name} overdue by {round(now - call.due)} s: fired")
    else:
        out.moving.append(f"{call.kind} call {call.id}")


def _look_at_action(rt: Runtime, run: ActionRecord, timed: bool, now: float, settings: SweepSettings,
                    out: Diagnosis) -> None:
    if timed:
        out.moving.append(f"action {run.id} (its task's timeout)")
        return
    if not _is_sync(rt, run.name):
        out.moving.append(f"asynchronous action {run.id}")
        return
    limit = settings.default_action_timeout
    if limit and now - float(run.created_at or 0) >= limit:
        error = (f"Action timed out [action={run.name}, action_ex_id={run.id}, timeout(s)={limit:g}]: no result "
                 "came from its executor (SIROCCO_DEFAULT_ACTION_TIMEOUT)")
        out.events.append(ActionCompleted(derive_id(f"ActionTimedOut:{run.id}", 0), now, action_id=run.id,
                                          error=error, failed=True))
        out.found.append(f"action {run.id} ran {round(now - float(run.created_at or 0))} s: timed out")
    else:
        out.moving.append(f"action {run.id}")


def _is_sync(rt: Runtime, name: str) -> bool:
    try:
        return bool(rt.registry.get(name).is_sync)
    except Exception:  # not registered here (a function of another stack...): treated as synchronous
        return True


def _look_at_child(rt: Runtime, run: ActionRecord, now: float, settings: SweepSettings, out: Diagnosis) -> None:
    found = rt.executions.get_execution(run.id)
    if found is None:
        if now - float(run.created_at or 0) >= settings.quiet:
            info = (f"Sub-workflow execution {run.id} never started: its start was not applied "
                    "(see the engine queue's dead-letter queue)")
            out.events.append(SubworkflowCompleted(derive_id(f"ChildLost:{run.id}", 0), now, execution_id=run.id,
                                                   state=states.ERROR, output={"result": info}, state_info=info))
            out.found.append(f"sub-workflow {run.id} never started: failed")
        else:
            out.moving.append(f"sub-workflow {run.id} (starting)")
        return
    child, _meta = found
    if child.state in (states.SUCCESS, states.ERROR, states.CANCELLED):
        out.events.append(SubworkflowCompleted(derive_id(f"ChildEnded:{run.id}", 0), now, execution_id=run.id,
                                               state=child.state, output=child.output,
                                               state_info=child.state_info))
        out.found.append(f"sub-workflow {run.id} ended {child.state}: reported")
    else:
        out.moving.append(f"sub-workflow {run.id} ({child.state})")


def _restart(execution_id: str, h: Any, now: float) -> StartExecution:
    """The API's start of an execution, from the header it stored (routing adds the
    global notification publishers, as it did to the API's message)."""
    from sirocco.api.executions import start_event_id

    event = StartExecution(start_event_id(execution_id), now, workflow=h.workflow, input=dict(h.input or {}),
                           params=dict(h.params or {}))
    body = engine_message(event, execution_id).body
    return envelopes.decode(body).obj


def summary(diagnosis: Diagnosis) -> Mapping[str, Iterable[str]]:
    return {"repairs": diagnosis.found, "under_way": diagnosis.moving[:20]}
