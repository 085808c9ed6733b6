"""What follows a completed task in a direct workflow: its on-error /
on-success / on-complete clauses evaluated in Mistral's order, guards and
``msg`` evaluated against the task's outbound context, then the resulting
routes dispatched in list order with the engine commands' rules:

- ``noop`` is dropped (but an on-error ``noop`` still handles the error);
- ``fail`` / ``succeed`` end the execution; routes listed after them are not
  taken, and neither are tasks listed before them (Mistral creates those but
  whether they run is a race; Sirocco does not create them);
- ``pause`` pauses: routes before it are taken, those after it wait in the
  backlog and are taken on resume.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sirocco.language import Transition

from . import completion, joins, states
from .context import ev, outbound
from .records import TaskRecord

if TYPE_CHECKING:
    from .session import Session

Route = tuple[str, str, Any]  # (kind, target, msg)


def after_task(session: "Session", task: TaskRecord) -> None:
    if session.wf.type == "reverse":  # type: ignore[union-attr]
        from . import reverse

        reverse.after_task(session, task)
        return
    spec = session.wf.tasks[task.name]  # type: ignore[union-attr]
    state = task.state
    clauses: list[tuple[tuple[Transition, ...], str]] = []
    if state == states.ERROR:
        clauses.append((spec.on_error, "on-error"))
    elif state == states.SUCCESS:
        clauses.append((spec.on_success, "on-success"))
    if state in (states.SUCCESS, states.ERROR):
        clauses.append((spec.on_complete, "on-complete"))
    elif state == states.SKIPPED:
        clauses.append((spec.on_skip, "on-skip"))
        clauses.append((spec.on_success, "skip-success"))  # taken only if no on-skip route is (Mistral)
    routes: list[Route] = []
    handled = False
    ctx = outbound(session, task)
    try:
        for clause, event in clauses:
            if event == "skip-success" and routes:
                break
            for tr in clause:
                if tr.condition is not None and not ev(session, tr.condition, ctx, task):
                    continue
                msg = ev(session, tr.msg, ctx, task) if tr.msg is not None else None
                routes.append((tr.kind, tr.target, msg))
                handled = handled or event == "on-error"
    except Exception as exc:
        from .tasks import after_error

        after_error(session, task, str(exc))
        return
    h = session.header
    if state == states.ERROR:
        task.handled = handled
        if not handled:
            h.unhandled[task.id] = task.name
    task.has_next = any(kind == "task" for kind, _, _ in routes)
    if not task.has_next and ctx:
        h.final_ctx = {**h.final_ctx, **ctx}
    session.touch(task)
    session.touch(h)
    dispatch(session, task, routes)


def dispatch(session: "Session", task: TaskRecord, routes: list[Route]) -> None:
    routes = [r for r in routes if r[0] != "noop"]
    for i, (kind, target, msg) in enumerate(routes):
        if kind in ("fail", "succeed"):
            routes = [routes[i]]
            break
        if kind == "pause":
            created = [t for later in routes[:i] for t in take(session, task, later)]
            from .lifecycle import suspend

            suspend(session, None if msg is None else str(msg))
            if routes[i + 1:]:
                session.header.backlog.append(("routes", task.id, routes[i + 1:]))
                session.touch(session.header)
            start_all(session, created)
            return
    created: list[TaskRecord] = []
    for n, route in enumerate(routes):
        if session.header.state != states.RUNNING:
            if session.header.state == states.PAUSED:
                session.header.backlog.append(("routes", task.id, routes[n:]))
                session.touch(session.header)
            break
        created.extend(take(session, task, route))
    start_all(session, created)


def start_all(session: "Session", created: list[TaskRecord]) -> None:
    """Start the task executions a batch of routes created (all are created
    first: a task failing to start does not keep its siblings from running).
    Through the agenda: a task that ends at once does not start the next
    ones from inside its own start (no recursion along a chain)."""
    for target in created:
        session.defer(_start_idle, target)


def _start_idle(session: "Session", task: TaskRecord) -> None:
    from .tasks import start

    if task.state == states.IDLE:
        start(session, task)


def take(session: "Session", task: TaskRecord, route: Route) -> list[TaskRecord]:
    kind, target, msg = route
    if kind == "task":
        created = joins.arrive(session, target, task)
        return [created] if created is not None else []
    ctx = {**session.header.final_ctx, **outbound(session, task)}
    if kind == "fail":
        completion.fail(session, None if msg is None else str(msg), ctx)
    elif kind == "succeed":
        completion.succeed(session, ctx)
    return []
