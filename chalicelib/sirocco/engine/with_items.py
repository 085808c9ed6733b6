"""with-items: the item values (evaluated once), the launching of items under
``concurrency`` (counters on the task record, never a scan), and the result
list assembled in item order once, when the last item ends."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sirocco.language import TaskSpec

from .action_runs import StartError, action_id, launch
from .context import ev, inbound
from .records import ActionRecord, TaskRecord

if TYPE_CHECKING:
    from .session import Session


def evaluate_items(session: "Session", spec: TaskSpec, task: TaskRecord) -> list[dict[str, Any]]:
    """One dict of bound variables per item; lists are zipped and must have the same length."""
    ctx = inbound(session, task)
    columns: list[tuple[str, list[Any]]] = []
    for var, source in spec.with_items:
        try:
            values = ev(session, source, ctx, task)
        except Exception as exc:
            raise StartError(str(exc)) from None
        if isinstance(values, str):
            values = list(values)  # Mistral iterates a string by character
        elif isinstance(values, dict):
            values = list(values)
        elif not isinstance(values, (list, tuple)):
            raise StartError(f"Wrong input format for with-items: {values!r} is not a list")
        columns.append((var, list(values)))
    lengths = {len(values) for _, values in columns}
    if len(lengths) > 1:
        raise StartError("Invalid array in 'with-items' clause: All arrays must have the same length.")
    count = lengths.pop() if lengths else 0
    return [{var: values[i] for var, values in columns} for i in range(count)]


def fill(session: "Session", spec: TaskSpec, task: TaskRecord) -> list[ActionRecord]:
    """Launch items until ``concurrency`` are running or none is left. Returns
    the runs that ended at once (a sub-workflow refused its input)."""
    items = session.state.items[task.id].items
    ended: list[ActionRecord] = []
    limit = task.concurrency
    indices = task.item_indices
    while task.items_next < task.items_total and (limit <= 0 or task.items_running < limit):
        pos = task.items_next
        task.items_next = pos + 1
        index = indices[pos] if indices is not None else pos
        task.items_running += 1
        record = launch(session, spec, task, index, items[index])
        if record.state != "RUNNING":
            ended.append(record)
    session.touch(task)
    return ended


def results(session: "Session", task: TaskRecord) -> list[Any]:
    """Item results in item order (the latest accepted run of each item)."""
    count = len(session.state.items[task.id].items)
    runs = task.item_runs
    out: list[Any] = []
    actions = session.state.actions
    for index in range(count):
        run = runs.get(index, task.runs) if runs else task.runs
        record = actions.get(action_id(task, run, index))
        out.append(record.result if record is not None else None)
    return out


def failed_indices(session: "Session", task: TaskRecord) -> list[int]:
    """Items whose latest run failed (for a rerun of only the failed items)."""
    count = len(session.state.items[task.id].items)
    runs = task.item_runs or {}
    failed = []
    for index in range(count):
        record = session.state.actions.get(action_id(task, runs.get(index, task.runs), index))
        if record is None or record.state != "SUCCESS":
            failed.append(index)
    return failed
