"""Reverse workflows: the target task (params ``task_name``) and its
transitive requirements only, each started when its last requirement
succeeded. Counters of missing requirements live in the header (a reverse
workflow's plan is computed once, at start)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import states

if TYPE_CHECKING:
    from .records import TaskRecord
    from .session import Session


class InvalidTaskName(ValueError):
    pass


def plan(wf, task_name: str | None) -> tuple[dict[str, int], dict[str, tuple[str, ...]]]:
    if not task_name or task_name not in wf.tasks:
        raise InvalidTaskName(f"Invalid task name [wf_spec={wf.name}, task_name={task_name}]")
    needed: dict[str, None] = {}
    stack = [task_name]
    while stack:
        name = stack.pop()
        if name in needed:
            continue
        needed[name] = None
        stack.extend(wf.requires.get(name, ()))
    missing = {n: len(set(wf.requires.get(n, ()))) for n in needed}
    dependents: dict[str, list[str]] = {n: [] for n in needed}
    for n in needed:
        for r in set(wf.requires.get(n, ())):
            dependents[r].append(n)
    order = {name: i for i, name in enumerate(wf.tasks)}
    return missing, {n: tuple(sorted(d, key=order.__getitem__)) for n, d in dependents.items()}


def begin(session: "Session") -> None:
    from . import tasks

    h = session.header
    wf = session.wf
    h.reverse_missing, h.reverse_dependents = plan(wf, h.params.get("task_name"))
    from .transitions import start_all

    start_all(session, [tasks.create(session, name, ()) for name in wf.tasks  # type: ignore[union-attr]
                        if h.reverse_missing.get(name) == 0])


def after_task(session: "Session", task: "TaskRecord") -> None:
    from . import tasks
    from .context import outbound

    h = session.header
    session.touch(h)
    if task.state != states.SUCCESS:
        if task.state == states.ERROR:
            h.unhandled[task.id] = task.name
        return
    dependents = h.reverse_dependents.get(task.name, ())  # type: ignore[union-attr]
    if not dependents:
        h.final_ctx = {**h.final_ctx, **outbound(session, task)}
    from .transitions import start_all

    for name in dependents:
        h.reverse_missing[name] -= 1  # type: ignore[index]
        if h.reverse_missing[name] == 0 and session.running:  # type: ignore[index]
            requires = dict.fromkeys(session.wf.requires.get(name, ()))  # type: ignore[union-attr]
            parents = tuple(h.last_task[r] for r in requires)
            start_all(session, [tasks.create(session, name, parents)])
