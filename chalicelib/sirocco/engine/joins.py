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
        task = tasks.create(session, name, [source.id], waiting=True)  # type: ignore[arg-type]
        task.arrived = {source.name: None}  # type: ignore[assignment]
        h.joins[name] = task.id
        h.waiting_joins[name] = task.id
        session.touch(h)
    else:
        task = session.state.tasks[tid]
        task.parents.append(source.id)  # type: ignore[attr-defined]
        task.arrived[source.name] = None  # type: ignore[index]
        session.touch(task)
    if not task.fired:
        if len(task.arrived) >= needed(session, name):  # type: ignore[arg-type]
            task.fired = True
            h.waiting_joins.pop(name, None)
            session.touch(h)
            link(session, task, task.parents)  # type: ignore[arg-type]
            session.set_task_state(task, states.IDLE)
            return task
        return None
    # a later arrival: run the same task execution again
    link(session, task, task.parents)  # type: ignore[arg-type]
    if states.is_completed(task.state):
        tasks.new_run(session, task, append=True)
    else:
        task.pending_reruns += 1
    return None


def fail_impossible(session: "Session") -> None:
    """Nothing is active: the joins still waiting can never fire."""
    from . import transitions

    h = session.header
    waiting = sorted((session.state.tasks[tid] for tid in h.waiting_joins.values()), key=lambda t: t.seq)
    h.waiting_joins = {}
    session.touch(h)
    for task in waiting:
        inbound = session.wf.inbound.get(task.name, ())  # type: ignore[union-attr]
        missing = [n for n in inbound if n not in task.arrived]  # type: ignore[operator]
        task.fired = True
        link(session, task, task.parents)  # type: ignore[arg-type]
        session.set_task_state(task, states.ERROR, f"Failed by tasks: {missing}")
        transitions.after_task(session, task)
