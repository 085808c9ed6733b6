"""``GET /v2/executions/<id>/cost``: what an execution cost (a Sirocco extension).

The usage comes from this process's meter (metering/); the counts of tasks and
steps, and the sub-executions whose usage the total adds, come from the
execution's partition. An execution this process did not meter (it ran before a
restart, or on AWS, where nothing meters yet) answers ``"metered": false`` with
zeros rather than a guess, and one created before the meter started, with what the
meter saw of it (docs/cost.md).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sirocco.metering import meter
from sirocco.metering.report import cost_report, steps

from . import views
from .executions import missing


def _counts(rt: Any, execution_id: str) -> tuple[int, int, list[str]]:
    """(tasks, steps, sub-execution ids) of one execution."""
    tasks = rt.executions.list_tasks(execution_id)
    runs = rt.executions.list_actions(execution_id)
    per_task = Counter(run.id.rsplit(".", 2)[0] for run in runs)
    workflow_tasks = {t.id for t in tasks if getattr(t, "kind", None) == "WORKFLOW"}
    children = [run.id for run in runs if run.id.rsplit(".", 2)[0] in workflow_tasks]
    return len(tasks), steps(len(tasks), [per_task[t.id] for t in tasks]), children


def cost(rt: Any, execution_id: str) -> tuple[int, dict[str, Any]]:
    found = rt.executions.get_execution(execution_id)
    if found is None:
        raise missing(execution_id)
    view = views.execution(*found, published_global=False)
    started = meter.since()
    complete = started is not None and float(found[0].created_at or 0) >= started
    ledger = meter.ledger()
    tasks, own_steps, children = _counts(rt, execution_id)
    descendants: dict[str, tuple[Any, int]] = {}
    pending = list(children)
    while pending:
        child = pending.pop()
        if child in descendants:
            continue
        _, child_steps, grandchildren = _counts(rt, child)
        descendants[child] = (ledger.usage(child), child_steps)
        pending += grandchildren
    return 200, cost_report(view, ledger.usage(execution_id), tasks, own_steps, descendants, complete=complete)
