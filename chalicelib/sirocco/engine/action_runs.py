"""What one run of a task executes: the action (ad-hoc actions resolved to
their base, input bound and checked) or the sub-workflow, for one item.

A problem found here is a ``StartError``: in Mistral the task fails to
start ("Failed to run task"), its on-error is not followed and the whole
execution fails at once. A sub-workflow called with a bad input is the
exception: that is an ordinary task error (``ChildInputError``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sirocco.expressions import evaluate
from sirocco.language import InputParam, TaskSpec

from .commands import RunAction, StartSubworkflow
from .context import EngineRuntime, ev, inbound
from .records import ActionRecord, TaskRecord

if TYPE_CHECKING:
    from .session import Session


class StartError(Exception):
    """The task cannot start."""


class InputError(ValueError):
    """An input does not match the declared parameters (missing or unexpected names)."""


def bind_input(params: tuple[InputParam, ...], given: dict[str, Any], name: str, cls: str) -> dict[str, Any]:
    """Declared input with defaults filled in (defaults are NOT evaluated, as in Mistral)."""
    declared = {p.name for p in params}
    missing = [p.name for p in params if p.required and p.name not in given]
    unexpected = [k for k in given if k not in declared]
    if missing or unexpected:
        parts = [f"name={name}", f"class={cls}"]
        if missing:
            parts.append(f"missing={missing}")
        if unexpected:
            parts.append(f"unexpected={unexpected}")
        raise InputError(f"Invalid input [{', '.join(parts)}]")
    bound = {p.name: given[p.name] if p.name in given else p.default for p in params}
    return bound


def action_id(task: TaskRecord, run: int, index: int) -> str:
    """Action runs are named by task, run and item: no index of them is needed."""
    return f"{task.id}.{run}.{index}"


def launch(session: "Session", spec: TaskSpec, task: TaskRecord, index: int, item: dict[str, Any] | None) -> ActionRecord:
    """Start run ``task.runs`` of item ``index``; emits RunAction or StartSubworkflow."""
    ctx = inbound(session, task)
    try:
        raw_input = ev(session, spec.input, ctx, task, item)
        if not isinstance(raw_input, dict):
            raise StartError(f"task input must be a dict, got {type(raw_input).__name__}")
        name = spec.resolved_name
        if spec.workflow is not None or "<%" in name or "{{" in name:
            name = ev(session, name, ctx, task, item)
        target = ev(session, spec.target, ctx, task, item) if spec.target else None
        if spec.workflow is None:
            safe = spec.safe_rerun if isinstance(spec.safe_rerun, bool) else bool(ev(session, spec.safe_rerun, ctx, task, item))
    except StartError:
        raise
    except Exception as exc:  # ExpressionError and friends
        raise StartError(str(exc)) from None
    h = session.header
    aid = action_id(task, task.runs, index)
    now = session.time
    if spec.workflow is not None:
        child = session.specs.workflow(name)
        if child is None and session.wf is not None and session.wf.workbook and "." not in name:
            child = session.specs.workflow(f"{session.wf.workbook}.{name}")
        if child is None:
            raise StartError(f"Workflow not found [workflow_identifier={name}]")
        record = ActionRecord(id=aid, task_id=task.id, run=task.runs, index=index, name=child.name,
                              input=raw_input, created_at=now, updated_at=now, is_workflow=True)
        session.state.put_action(record)
        try:
            bind_input(child.input, raw_input, child.name, "WorkflowSpec")
        except InputError as exc:
            record.result = str(exc)
            record.state = "ERROR"
            return record  # the caller completes it as an ordinary failure
        env = h.params.get("env")
        params = {"env": env} if env is not None else {}
        if "notify" in h.params:  # sub-workflows notify the same publishers (Mistral)
            params["notify"] = h.params["notify"]
        h.children[aid] = task.id
        session.touch(h)
        session.emit(StartSubworkflow(h.id, child_id=aid, task_id=task.id, workflow=child.name, input=raw_input,
                                      params=params, root_execution_id=h.root_execution_id or h.id, index=index))
        return record
    base, action_input, transforms = resolve(session, name, raw_input)
    record = ActionRecord(id=aid, task_id=task.id, run=task.runs, index=index, name=base, input=action_input,
                          created_at=now, updated_at=now, transforms=transforms)
    session.state.put_action(record)
    timeout = spec.timeout if isinstance(spec.timeout, (int, float)) else None
    session.emit(RunAction(h.id, action_id=aid, task_id=task.id, name=base, input=action_input, target=target,
                           timeout=timeout, safe_rerun=safe, index=index))
    return record


def resolve(session: "Session", name: str, given: dict[str, Any]) -> tuple[str, dict[str, Any], tuple[str, ...]]:
    """Follow ad-hoc actions down to a registered action; check its input."""
    transforms: list[str] = []
    seen: set[str] = set()
    while True:
        adhoc = session.specs.action(name)
        if adhoc is None:
            break
        if name in seen:
            raise StartError(f"Failed to instantiate an action: ad-hoc action cycle at {name}")
        seen.add(name)
        try:
            bound = bind_input(adhoc.input, given, adhoc.name, "ActionSpec")
            given = evaluate(adhoc.base_input, bound, EngineRuntime(session, None)) if adhoc.base_input else {}
        except InputError as exc:
            raise StartError(str(exc)) from None
        except Exception as exc:
            raise StartError(f"Failed to instantiate an action [{adhoc.name}]: {exc}") from None
        transforms.insert(0, adhoc.name)
        name = adhoc.base
    sig = session.specs.action_signature(name)
    if sig is None:
        raise StartError(f"Failed to instantiate an action [action_name={name}]: action not found")
    missing = [p for p in sig.required if p not in given]
    unexpected = [] if sig.extra else [k for k in given if k not in sig.required and k not in sig.optional]
    if missing or unexpected:
        detail = ", ".join(x for x in (f"missing={missing}" if missing else "",
                                        f"unexpected={unexpected}" if unexpected else "") if x)
        raise StartError(f"Invalid input [name={name}, {detail}]")
    return name, given, tuple(transforms)


def transform(session: "Session", record: ActionRecord, result: Any) -> Any:
    """Apply the ad-hoc actions' ``output`` expressions ($ is the base result)."""
    for name in record.transforms:
        spec = session.specs.action(name)
        if spec is not None and spec.output is not None:
            result = evaluate(spec.output, result, EngineRuntime(session, None))
    return result
