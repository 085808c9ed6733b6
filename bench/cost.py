"""What a workflow costs on AWS, request by request, next to Step Functions Standard.

Starts the local runtime in this process (`sirocco dev`'s DevStack: the embedded
emulator, the API, the pollers, metering on), runs four representative workflows
through the API one after the other, waits for each to end, reads its cost report
(``GET /v2/executions/<id>/cost``, docs/cost.md) and prints, per workflow: steps
(tasks, with-items items and retries, as Step Functions counts transitions), Lambda
invocations and GB-s, SQS requests (standard, FIFO; 64 KB units), DynamoDB write
and read units, KB of log lines CloudWatch Logs ingests, other requests, dollars per execution, per step and per million
steps, and Step Functions Standard's price of the same steps. Then what was metered
for no execution (the sweeper, the API's reads...), so nothing is hidden.

    python bench/cost.py [--json FILE]

The last line reads ``cost per million tasks: $X.XX (Step Functions Standard: $25.00)``
for the 10-task sequence. Lambda durations are this machine's: a busy machine
makes GB-s (and the dollars) larger than a quiet one.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from localapi import call, free_port  # bench/localapi.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "chalicelib"))

WORKFLOWS = """
version: '2.0'
cost_sequence:
  tasks:
{sequence}
cost_fan_out:
  tasks:
{fan_out}
    join:
      join: all
      action: std.noop
cost_items:
  input: [xs]
  tasks:
    each:
      with-items: x in <% $.xs %>
      action: std.echo output=<% $.x %>
cost_retry_wait:
  tasks:
    flaky:
      action: bench.flaky
      retry: {{count: 2, delay: 1}}
      wait-before: 1
      wait-after: 1
      on-success: [done]
    done:
      action: std.noop
"""

#: (label, workflow, input)
RUNS = [
    ("10-task sequence", "cost_sequence", {}),
    ("100-way fan-out + join", "cost_fan_out", {}),
    ("with-items over 1,000", "cost_items", {"xs": list(range(1000))}),
    ("retry + wait", "cost_retry_wait", {}),
]
TERMINAL = ("SUCCESS", "ERROR", "CANCELLED")


def workflows_text() -> str:
    sequence = "\n".join(f"    t{i}:\n      action: std.noop" + (f"\n      on-success: [t{i + 1}]" if i < 10 else "")
                         for i in range(1, 11))
    fan_out = "\n".join(f"    b{i}:\n      action: std.noop\n      on-success: [join]" for i in range(1, 101))
    return WORKFLOWS.format(sequence=sequence, fan_out=fan_out)


def flaky(ctx: Any) -> str:
    """Fails the first attempt of its task, succeeds on the retry (run 2)."""
    run = int((ctx.action_execution_id or "x.1.0").split(".")[1])
    if run <= 1:
        raise RuntimeError("bench.flaky: first attempt fails")
    return f"ok after {run}"


def run_one(root: str, workflow: str, input: dict[str, Any], timeout: float) -> dict[str, Any]:
    execution = call(root, "POST", "/v2/executions", {"workflow_name": workflow, "input": json.dumps(input)})
    deadline = time.monotonic() + timeout
    while execution["state"] not in TERMINAL:
        if time.monotonic() > deadline:
            raise SystemExit(f"{workflow}: still {execution['state']} after {timeout:.0f} s")
        time.sleep(0.2)
        execution = call(root, "GET", f"/v2/executions/{execution['id']}")
    time.sleep(0.5)  # the last invocations finish (their duration is metered when they return)
    return call(root, "GET", f"/v2/executions/{execution['id']}/cost")


def summary(label: str, report: dict[str, Any]) -> dict[str, Any]:
    """The figures of one row."""
    requests = report["requests"]

    def units(service: str, operations: tuple[str, ...] | None = None) -> float:
        return sum(r["units"] for r in requests if r["service"] == service
                   and (operations is None or r["operation"] in operations))

    writes = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems")
    dynamodb_ops = {r["operation"] for r in requests if r["service"] == "dynamodb"}
    counted = ("lambda", "sqs-standard", "sqs-fifo", "dynamodb")
    steps = report["steps"]
    return {
        "workflow": label, "state": report["state"], "steps": steps, "tasks": report["tasks"],
        "lambda_invocations": sum(f["invocations"] for f in report["lambda"].values()),
        "gb_seconds": sum(f["gb_seconds"] for f in report["lambda"].values()),
        "sqs_standard": units("sqs-standard"), "sqs_fifo": units("sqs-fifo"),
        "dynamodb_wcu": units("dynamodb", writes),
        "dynamodb_rcu": units("dynamodb", tuple(dynamodb_ops - set(writes))),
        "other_requests": sum(r["requests"] for r in requests if r["service"] not in counted),
        "log_kb": sum(r["bytes"] for r in requests if r["service"] == "logs") / 1024,
        "cost": report["cost"]["total"], "cost_by_service": report["cost"]["by_service"],
        "per_step": report["cost"]["per_step"], "per_million": report["cost"]["per_million_steps"],
        "step_functions_per_million": report["step_functions_standard"]["per_million_steps"],
        "metered": report["metered"], "report": report,
    }


def table(rows: list[dict[str, Any]], out: Any) -> None:
    head = (f"{'workflow':<24} {'tasks':>5} {'steps':>5} {'λ inv':>7} {'GB-s':>7} {'SQS std':>7} {'SQS fifo':>8} "
            f"{'WCU':>6} {'RCU':>6} {'logs KB':>7} {'other':>5} {'$/exec':>10} {'$/step':>10} {'$/M steps':>9} "
            f"{'SFN $/M':>7}")
    print(head, file=out)
    print("-" * len(head), file=out)
    for r in rows:
        print(f"{r['workflow']:<24} {r['tasks']:>5} {r['steps']:>5} {r['lambda_invocations']:>7.1f} "
              f"{r['gb_seconds']:>7.2f} {r['sqs_standard']:>7.1f} {r['sqs_fifo']:>8.1f} {r['dynamodb_wcu']:>6.0f} "
              f"{r['dynamodb_rcu']:>6.1f} {r['log_kb']:>7.1f} {r['other_requests']:>5.0f} {r['cost']:>10.7f} "
              f"{r['per_step']:>10.8f} {r['per_million']:>9.2f} {r['step_functions_per_million']:>7.2f}", file=out)


def per_step(rows: list[dict[str, Any]], out: Any) -> None:
    print("\nper step", file=out)
    print(f"{'workflow':<24} {'λ inv':>7} {'λ GB-ms':>8} {'SQS std':>7} {'SQS fifo':>8} {'WCU':>6} {'RCU':>6} "
          f"{'log B':>6}", file=out)
    for r in rows:
        n = r["steps"]
        print(f"{r['workflow']:<24} {r['lambda_invocations'] / n:>7.3f} {r['gb_seconds'] * 1000 / n:>8.2f} "
              f"{r['sqs_standard'] / n:>7.3f} {r['sqs_fifo'] / n:>8.3f} {r['dynamodb_wcu'] / n:>6.2f} "
              f"{r['dynamodb_rcu'] / n:>6.2f} {r['log_kb'] * 1024 / n:>6.0f}", file=out)


def services(rows: list[dict[str, Any]], out: Any) -> None:
    names = sorted({s for r in rows for s in r["cost_by_service"]})
    print("\n$ per million steps by service", file=out)
    print(f"{'workflow':<24} " + " ".join(f"{n:>12}" for n in names), file=out)
    for r in rows:
        per = {n: r["cost_by_service"].get(n, 0.0) / r["steps"] * 1e6 for n in names}
        print(f"{r['workflow']:<24} " + " ".join(f"{per[n]:>12.3f}" for n in names), file=out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", help="also write the rows and the reports to this file")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds one execution may take")
    parser.add_argument("--executor", action="store_true",
                        help="every action through the executor queue (SIROCCO_INLINE_ACTIONS=0): the path "
                             "of actions other than std.noop, std.echo and std.fail")
    args = parser.parse_args()

    for name in [k for k in os.environ if k.startswith(("AWS_", "SIROCCO_"))]:
        del os.environ[name]
    os.environ["SIROCCO_METER"] = "1"
    if args.executor:
        os.environ["SIROCCO_INLINE_ACTIONS"] = "0"
    from sirocco.actions import default_registry
    from sirocco.local.dev import DevOptions, DevStack
    from sirocco.metering import LEDGER, READS, UNATTRIBUTED

    default_registry.register("bench.flaky", flaky)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    out = sys.stdout
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp, open(os.path.join(tmp, "dev.log"), "w") as log_file, \
            contextlib.redirect_stdout(log_file), contextlib.redirect_stderr(log_file):
        stack = DevStack(DevOptions(port=free_port(), retry_delay=1)).start()
        try:
            root = stack.api_url
            call(root, "POST", "/v2/workflows", workflows_text(), "text/plain")
            for label, workflow, input in RUNS:
                began = time.perf_counter()
                rows.append(summary(label, run_one(root, workflow, input, args.timeout)))
                print(f"{label}: {rows[-1]['state']} in {time.perf_counter() - began:.1f} s", file=out)
            aside = {name: LEDGER.usage(name) for name in (UNATTRIBUTED, READS)}
        finally:
            stack.stop()
    print(file=out)
    table(rows, out)
    per_step(rows, out)
    services(rows, out)
    print(file=out)
    for name, usage in aside.items():
        if usage is None:
            print(f"{name}: nothing", file=out)
            continue
        lines = ", ".join(f"logs {line.bytes / 1024:.1f} KB" if s == "logs" else f"{s} {o} {line.requests:.0f}"
                          for (s, o), line in usage)
        print(f"{name}: ${usage.total():.7f} over the whole run ({lines})", file=out)
    if not all(r["metered"] for r in rows):
        print("warning: some executions were not metered completely", file=out)
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "aside": {
            name: None if usage is None else {f"{s} {o}": vars(line) for (s, o), line in usage}
            for name, usage in aside.items()}}, indent=2) + "\n")
    sequence = rows[0]
    print(f"cost per million tasks: ${sequence['per_million']:.2f} "
          f"(Step Functions Standard: ${sequence['step_functions_per_million']:.2f})", file=out)


if __name__ == "__main__":
    main()
