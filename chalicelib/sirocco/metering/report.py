"""An execution's cost report: its usage priced, per service, per task, and beside
what Step Functions Standard would charge for the same steps (pure).

Steps are what Step Functions bills as state transitions: one per task, and one
per action run beyond the first of a task (a with-items item, a retry).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from .prices import LIST_PRICES, UNITS, Prices, step_functions_standard
from .usage import Usage

PER_MILLION = 1_000_000


def steps(tasks: int, actions_per_task: Sequence[int]) -> int:
    """State transitions Step Functions Standard would bill for these tasks."""
    return tasks + sum(max(0, n - 1) for n in actions_per_task)


def _rounded(value: float, places: int = 12) -> float:
    return round(value, places)


def priced(usage: Usage, step_count: int, prices: Prices = LIST_PRICES) -> dict[str, Any]:
    """The requests, Lambda time and dollars of ``usage``, per step too."""
    by_service = usage.cost(prices)
    total = sum(by_service.values())
    requests = [{"service": service, "operation": operation, "requests": _rounded(line.requests, 3),
                 "units": _rounded(line.units, 6), "unit": UNITS.get(service, "request"),
                 "bytes": round(line.bytes), "cost": _rounded(prices.line(service, operation, line.requests,
                                                                            line.units))}
                for (service, operation), line in usage if service != "lambda" or operation == "Invoke"]
    functions = {operation: {"invocations": _rounded(line.requests, 3), "gb_seconds": _rounded(line.units, 6),
                             "cost": _rounded(prices.line("lambda", operation, line.requests, line.units))}
                 for (service, operation), line in usage if service == "lambda" and operation != "Invoke"}
    per_step = total / step_count if step_count else None
    return {
        "requests": requests,
        "lambda": functions,
        "cost": {"by_service": {k: _rounded(v) for k, v in sorted(by_service.items())}, "total": _rounded(total),
                 "per_step": None if per_step is None else _rounded(per_step, 12),
                 "per_million_steps": None if per_step is None else round(per_step * PER_MILLION, 4)},
        "step_functions_standard": {"cost": _rounded(step_functions_standard(step_count)),
                                    "per_million_steps": 25.0},
    }


def cost_report(execution: Mapping[str, Any], own: Usage | None, tasks: int, step_count: int,
                descendants: Mapping[str, tuple[Usage | None, int]], prices: Prices = LIST_PRICES,
                complete: bool = True) -> dict[str, Any]:
    """The report of one execution: ``own`` usage (None: not metered by this process) and,
    when it has sub-executions, the total over them (``descendants``: id -> (usage, steps));
    ``complete`` False: the meter started after the execution did."""
    metered = complete and own is not None and all(u is not None for u, _ in descendants.values())
    body: dict[str, Any] = {"id": execution["id"], "workflow_name": execution.get("workflow_name"),
                            "state": execution.get("state"), "metered": metered, "tasks": tasks,
                            "steps": step_count}
    body.update(priced(own or Usage(), step_count, prices))
    if descendants:
        total = own or Usage()
        for usage, _ in descendants.values():
            total = total + (usage or Usage())
        all_steps = step_count + sum(n for _, n in descendants.values())
        body["including_sub_executions"] = {"executions": 1 + len(descendants), "steps": all_steps,
                                            **priced(total, all_steps, prices)}
    return body
