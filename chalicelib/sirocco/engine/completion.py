"""How an execution ends: by counters (nothing active any more), or at once
by ``fail`` / ``succeed`` / an error while a task starts; with ``output`` or
``{result: state_info} + output-on-error``; CANCELLED with ``{result:
state_info}`` when a task was cancelled."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import states
from .commands import ExecutionFinished
from .context import ev

if TYPE_CHECKING:
    from .session import Session


def check(session: "Session") -> None:
    """Called after every event: O(1) unless the execution is quiescent."""
    from . import joins

    h = session.header
    while h.state == states.RUNNING and h.active == 0:
        if h.waiting_joins:
            joins.fail_impossible(session)
            continue
        if h.cancelled:  # a cancelled task (sub-workflow) cancels the execution, errors or not (Mistral)
            cancelled(session, "Cancelled tasks: " + ", ".join(sorted(h.cancelled.values())))
        elif h.unhandled:
            fail(session, failure_message(session), None)
        else:
            succeed(session, None)


def failure_message(session: "Session") -> str:
    h = session.header
    lines = [f"Failure caused by error in tasks: {', '.join(h.unhandled.values())}", ""]
    for tid, name in h.unhandled.items():
        task = session.state.tasks.get(tid)
        lines.append(f"  {name} [task_ex_id={tid}] -> {task.state_info if task else ''}")
    return "\n".join(lines) + "\n"


def succeed(session: "Session", ctx: dict[str, Any] | None, info: str | None = None) -> None:
    h = session.header
    ctx = h.final_ctx if ctx is None else ctx
    wf = session.wf
    if wf is not None and wf.output:
        try:
            output = ev(session, wf.output, ctx, None)
        except Exception as exc:
            info = f"Failed to evaluate workflow output [wf_ex_id={h.id}, wf_name={h.workflow}]: {exc}"
            h.output = {**ctx, "result": info}
            _finish(session, states.ERROR, info)
            return
    else:
        output = dict(ctx)
    h.output = output
    _finish(session, states.SUCCESS, info)


def fail(session: "Session", info: str | None, ctx: dict[str, Any] | None) -> None:
    h = session.header
    ctx = h.final_ctx if ctx is None else ctx
    output: dict[str, Any] = {"result": info}
    wf = session.wf
    if wf is not None and wf.output_on_error:
        try:
            extra = ev(session, wf.output_on_error, ctx, None)
            if isinstance(extra, dict):
                output.update(extra)
        except Exception as exc:
            output = {"result": f"Failed to evaluate expression in output-on-error! "
                                f"(output-on-error={dict(wf.output_on_error)}, error={exc})"}
    h.output = output
    _finish(session, states.ERROR, info)


def cancelled(session: "Session", info: str | None) -> None:
    session.header.output = {"result": info}
    _finish(session, states.CANCELLED, info)


def _finish(session: "Session", state: str, info: str | None) -> None:
    h = session.header
    paused = h.state == states.PAUSED
    session.set_wf_state(state, info)
    if paused and h.backlog:  # calls held while PAUSED fire now: their tasks run to their end
        from .tasks import on_call

        held = [entry[1] for entry in h.backlog if entry[0] == "call"]
        if held:
            h.backlog = [entry for entry in h.backlog if entry[0] != "call"]
            for call_id in held:
                session.after(on_call, call_id)
    session.emit(ExecutionFinished(h.id, state=state, state_info=info, output=h.output,
                                   parent_execution_id=h.parent_execution_id, parent_task_id=h.parent_task_id))
