"""Routes into a task, and ``join``.

A task without ``join`` gets a new task execution per arrival. A join task
has one task execution per name (Mistral's unique key): created WAITING on
the first arrival, it counts arrivals and fires at ``len(inbound)`` (all), 1
(one) or N; every later arrival runs the same task execution again (a second
action run, its result becomes a list, its transitions fire again).

Impossible routes need no graph walk: when nothing is active any more, every
join still WAITING can never fire, so it goes to ERROR ("Failed by tasks:
[...]", the inbound tasks that did not arrive) and its own on-error applies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import states
from .context import link
from .records import TaskRecord

if TYPE_CHECKING:
    from .session import Session


def needed(session: "Session", name: str) -> int:
    join = session.wf.tasks[name].join  # type: ignore[union-attr]
    if join == "all":
        return len(session.wf.inbound.get(name, ()))  # type: ignore[union-attr]
    if join == "one":
        return 1
    return int(join)  # type: ignore[arg-type]


def arrive(session: "Session", name: str, source: TaskRecord) -> TaskRecord | None:
    """Route ``source`` into task ``name``; returns the task execution to start, if any
    (the caller creates every target first and starts them after, as Mistral)."""
    from . import tasks

    spec = session.wf.tasks[name]  # type: ignore[union-attr]
    if spec.join is None:
        return tasks.create(session, name, (source.id,))
    h = session.header
    tid = h.joins.get(name)
    if tid is None:
        task = tasks.create(session, name, (), waiting=True)
        task.arrived = {}  # type: ignore[assignment]
        task.sources = {}
        h.joins[name] = task.id
        h.waiting_joins[name] = task.id
        session.touch(h)
    else:
        task = session.state.tasks[tid]
        if task.sources.get(source.id) == source.runs:  # type: ignore[union-attr]
            return None  # this completion of source already arrived (on-success and on-complete both lead here)
        task.sources.pop(source.id, None)  # type: ignore[union-attr]  # arrival order is merge order
    task.sources[source.id] = source.runs  # type: ignore[index]
    task.arrived[source.name] = None  # type: ignore[index]
    session.touch(task)
    if not task.fired:
        if len(task.arrived) < needed(session, name):  # type: ignore[arg-type]
            return None  # still waiting, or still failed as an impossible route (ERROR)
        # fires: WAITING -> IDLE, or ERROR -> IDLE for a join failed as an impossible route that
        # a rerun upstream made possible after all
        task.fired = True
        h.waiting_joins.pop(name, None)
        session.touch(h)
        link(session, task, tuple(task.sources))  # type: ignore[arg-type]
        session.set_task_state(task, states.IDLE)
        return task
    # a later arrival: run the same task execution again, its context relinked when that run starts
    if states.is_completed(task.state):
        link(session, task, tuple(task.sources))  # type: ignore[arg-type]
        if spec.with_items and task.id not in session.state.items:
            tasks.run(session, task)  # its first run failed to start: no item values yet
        else:
            tasks.new_run(session, task, append=True)
    else:
        task.pending_reruns += 1
    return None


def fail_impossible(session: "Session") -> None:
    """Nothing is active: the joins still waiting can never fire. They fail
    one by one, in creation order, while nothing is active (a failed join's
    own routes may start tasks, or arrive at another join). The message
    names the inbound tasks that cannot arrive any more, less the joins still
    waiting (Mistral counts a waiting inbound task as pending, not failed);
    a join whose missing inbound tasks are all waiting joins waits for them,
    unless every waiting join is in that case. A failed join is not fired:
    a later arrival that satisfies it (after a rerun upstream) runs it."""
    from . import transitions

    h = session.header
    wf = session.wf
    waiting = sorted((session.state.tasks[tid] for tid in h.waiting_joins.values()), key=lambda t: t.seq)
    doomed = []
    for task in waiting:
        missing = [n for n in wf.inbound.get(task.name, ()) if n not in task.arrived]  # type: ignore[union-attr,operator]
        failed = [n for n in missing if n not in h.waiting_joins]
        doomed.append((task, failed or missing, bool(failed)))
    if any(sure for _, _, sure in doomed):
        doomed = [d for d in doomed if d[2]]
    for task, missing, _ in doomed:
        if h.state != states.RUNNING or h.active != 0:
            return  # what a failed join started runs first; completion.check comes back when all is quiet
        if task.state != states.WAITING:  # fired meanwhile by an arrival from a join failed before it
            h.waiting_joins.pop(task.name, None)
            continue
        h.waiting_joins.pop(task.name, None)
        session.touch(h)
        link(session, task, tuple(task.sources))  # type: ignore[arg-type]
        session.set_task_state(task, states.ERROR, f"Failed by tasks: {missing}")
        transitions.after_task(session, task)
