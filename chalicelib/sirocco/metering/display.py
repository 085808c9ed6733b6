"""An execution's cost report as the compact text `sirocco cost` prints (pure)."""

from __future__ import annotations

from typing import Any, Mapping


def _dollars(value: float | None) -> str:
    return "-" if value is None else f"${value:.7f}"


def render(report: Mapping[str, Any]) -> str:
    cost = report["cost"]
    lines = [f"execution {report['id']} ({report.get('workflow_name') or '?'}): {report['state']}, "
             f"{report['tasks']} task(s), {report['steps']} step(s)"]
    if not report.get("metered"):
        lines.append("not metered by this server (it ran before a restart, or on AWS): figures incomplete")
    lines.append(f"{'service':<14} {'operation':<22} {'requests':>9} {'units':>10} {'unit':<14} {'cost':>11}")
    for function, figures in sorted(report["lambda"].items()):
        lines.append(f"{'lambda':<14} {function:<22} {figures['invocations']:>9.1f} {figures['gb_seconds']:>10.4f} "
                     f"{'GB-s':<14} {_dollars(figures['cost']):>11}")
    for line in report["requests"]:
        units, unit = line["units"], line["unit"]
        if line["service"] == "logs":  # GB would show as 0.0
            units, unit = line["bytes"] / 1024, "KB ingested"
        lines.append(f"{line['service']:<14} {line['operation']:<22} {line['requests']:>9.1f} {units:>10.1f} "
                     f"{unit:<14} {_dollars(line['cost']):>11}")
    lines.append("by service: " + ", ".join(f"{k} {_dollars(v)}" for k, v in cost["by_service"].items()))
    per_million = cost.get("per_million_steps")
    lines.append(f"total {_dollars(cost['total'])}, per step {_dollars(cost.get('per_step'))}, per million steps "
                 f"{'-' if per_million is None else f'${per_million:.2f}'} "
                 f"(Step Functions Standard: ${report['step_functions_standard']['per_million_steps']:.2f})")
    tree = report.get("including_sub_executions")
    if tree:
        lines.append(f"with its {tree['executions'] - 1} sub-execution(s): {_dollars(tree['cost']['total'])} "
                     f"over {tree['steps']} step(s)")
    return "\n".join(lines)
