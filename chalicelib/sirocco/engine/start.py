"""Starting an execution: input bound (defaults NOT evaluated, as Mistral),
vars evaluated, start tasks (direct) or the requirement plan (reverse).

``check_start`` lets the API refuse a bad start before an execution exists
(Mistral answers 400); ``decide`` on a bad ``StartExecution`` ends the
execution in ERROR instead, never raises.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sirocco.language import WorkflowSpec

from . import completion, notifications, reverse, states
from .action_runs import InputError, bind_input
from .catalog import SpecSource
from .context import EngineRuntime
from .events import StartExecution

if TYPE_CHECKING:
    from .session import Session


class StartRefused(ValueError):
    """The execution cannot start: unknown workflow, invalid input or task_name, failing vars."""


def check_start(specs: SpecSource, workflow: str, input: dict[str, Any] | None,
                params: dict[str, Any] | None = None) -> dict[str, Any]:
    """The bound input, or ``StartRefused`` with a message for the user."""
    wf = specs.workflow(workflow)
    if wf is None:
        raise StartRefused(f"Workflow not found [workflow_identifier={workflow}]")
    try:
        bound = bind_input(wf.input, dict(input or {}), wf.name, "WorkflowSpec")
        if wf.type == "reverse":
            reverse.plan(wf, (params or {}).get("task_name"))
    except (InputError, reverse.InvalidTaskName) as exc:
        raise StartRefused(str(exc)) from None
    try:
        _vars(wf, bound, params or {})
    except Exception as exc:
        raise StartRefused(str(exc)) from None
    return bound


def _vars(wf: WorkflowSpec, bound: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    if not wf.vars:
        return {}
    from sirocco.expressions import evaluate

    from sirocco.expressions import NullRuntime

    data = {**bound, "__env": params.get("env") or {}}
    return evaluate(dict(wf.vars), data, NullRuntime())


def start_execution(session: "Session", event: StartExecution) -> None:
    h = session.header
    if h.state != states.IDLE:
        return  # already started
    h.workflow = event.workflow
    h.input = dict(event.input)
    h.params = dict(event.params)
    session.publishers = notifications.publishers(h.params)
    h.created_at = h.updated_at = event.time
    h.parent_execution_id = event.parent_execution_id
    h.parent_task_id = event.parent_task_id
    h.parent_action_id = event.parent_action_id
    h.root_execution_id = event.root_execution_id
    session.touch(h)
    wf = session.wf = session.specs.workflow(event.workflow)
    if wf is None:
        completion.fail(session, f"Workflow not found [workflow_identifier={event.workflow}]", {})
        return
    try:
        h.input = bind_input(wf.input, h.input, wf.name, "WorkflowSpec")
        if wf.type == "reverse":
            reverse.plan(wf, h.params.get("task_name"))
        if wf.vars:
            from sirocco.expressions import evaluate

            h.vars = evaluate(dict(wf.vars), {**h.input, "__env": h.params.get("env") or {}},
                              EngineRuntime(session, None))
    except Exception as exc:
        completion.fail(session, str(exc), {})
        return
    session.set_wf_state(states.RUNNING)
    if wf.type == "reverse":
        reverse.begin(session)
        return
    from . import tasks

    from .transitions import start_all

    start_all(session, [tasks.create(session, name, ()) for name in wf.start_tasks])
