"""Scale: does one large execution keep its pace, its memory and its cost per task?

Starts the local runtime in this process (`sirocco dev`'s DevStack: the embedded
emulator, the API on a free port, the pollers feeding the Lambda handlers) and
runs, over the REST API, one execution of each:

- ``with-items``: std.echo over ``--items`` items (default 100,000), concurrency 500;
- ``fan-in``: ``--branches`` parallel std.noop tasks (default 10,000) into one ``join: all``.

While it runs it follows the execution through the engine's "engine batch" log
lines (events applied plus actions the engine ran inline) and, when 1%, 10%,
50% and 100% of its tasks are done, prints over the window of the last 1% of
the run (at 1%: since the start batch): tasks per second, the engine's mean
batch duration, DynamoDB capacity units and dollars (list prices, every
service, from the metering package's ledger) per task, and the dollars per task
so far and the process's RSS at that point (the emulator's tables, queues and
S3 objects live in this process too: part of the growth is the data itself).
The 100% window holds the last batches, which end the task (with-items: the
result list; join: the merged context) and cost O(n) once. The verdict line
compares the rate over the last 10% of the run (before those last batches) with the
rate over the first 10% and gives RSS growth per 1,000
tasks. Figures vary with the machine's load.

    .venv/bin/python bench/scale.py                       # 100,000 items; 10,000 branches
    .venv/bin/python bench/scale.py --items 10000 --branches 1000 [--json FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import psutil

from localapi import call, free_port  # bench/localapi.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "chalicelib"))

MARKS = (0.01, 0.10, 0.50, 1.00)


def with_items_workflow(concurrency: int) -> str:
    return ("version: '2.0'\nscale_items:\n  input: [n]\n  tasks:\n    each:\n"
            "      with-items: i in <% range($.n).toList() %>\n"
            f"      concurrency: {concurrency}\n      action: std.echo output=<% $.i %>\n")


def fan_in_workflow(branches: int) -> str:
    lines = ["version: '2.0'", "scale_fan_in:", "  tasks:", "    fan:", "      action: std.noop",
             "      on-success:"]
    lines += [f"        - b{i}" for i in range(branches)]
    for i in range(branches):
        lines += [f"    b{i}:", "      action: std.noop", "      on-success: [join]"]
    lines += ["    join:", "      join: all", "      action: std.noop"]
    return "\n".join(lines) + "\n"


@dataclass
class Sample:
    mark: float
    done: int
    elapsed: float
    rate: float  # tasks/s over the window: the last 1% of the run before the mark
    rss_mb: float
    batch_ms: float  # mean engine batch over the window
    ddb_units_per_task: float  # over the window
    dollars_per_million_tasks: float  # over the window
    dollars_per_million_so_far: float


@dataclass
class Point:
    """The execution after one engine batch: tasks done, the batch's ms, its cost so far."""

    t: float
    done: int
    ms: float
    ddb_units: float
    dollars: float


class Progress(logging.Handler):
    """Follows one execution through the engine's batch log lines (events applied plus
    actions run inline) and the meter's ledger."""

    def __init__(self, ledger: Any) -> None:
        super().__init__()
        self.ledger = ledger
        self.execution_id = ""
        self.points: list[Point] = []
        self.changed = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if '"engine batch"' not in text or self.execution_id not in text:
            return
        line = json.loads(text)
        if line.get("execution_id") != self.execution_id:
            return
        done = (self.points[-1].done if self.points else 0) + int(line.get("events", 0)) + int(line.get("inline", 0))
        usage = self.ledger.usage(self.execution_id)
        units, dollars = (usage.service("dynamodb").units, usage.total()) if usage else (0.0, 0.0)
        self.points.append(Point(time.perf_counter(), done, float(line.get("ms", 0.0)), units, dollars))
        self.changed.set()


def sample(points: list[Point], mark: float, total: int, began: float, rss_mb: float,
           window: float = 0.01) -> Sample:
    """The figures at the last point, over the window since the run was ``window`` less done
    (from the execution's create when that is earlier)."""
    last = points[-1]
    floor = last.done - window * total
    first = Point(began, 0, 0.0, 0.0, 0.0)
    for point in points[:-1]:
        if point.done > floor:
            break
        first = point
    inside = [p for p in points if first.t < p.t <= last.t]
    tasks = max(last.done - first.done, 1)
    return Sample(mark=mark, done=last.done, elapsed=last.t - began,
                  rate=tasks / max(last.t - first.t, 1e-9), rss_mb=rss_mb,
                  batch_ms=sum(p.ms for p in inside) / max(len(inside), 1),
                  ddb_units_per_task=(last.ddb_units - first.ddb_units) / tasks,
                  dollars_per_million_tasks=(last.dollars - first.dollars) / tasks * 1e6,
                  dollars_per_million_so_far=last.dollars / max(last.done, 1) * 1e6)


def run(root: str, progress: Progress, workflow: str, text: str, input: dict[str, Any],
        total: int, timeout: float) -> tuple[list[Sample], str, list[Sample] | None, float]:
    """Start one execution and sample it at each mark; ``total``: the events it takes."""
    call(root, "POST", "/v2/workflows", text, "text/plain")
    process = psutil.Process()
    progress.points = []
    began = time.perf_counter()
    progress.execution_id = call(root, "POST", "/v2/executions",
                                 {"workflow_name": workflow, "input": json.dumps(input)})["id"]
    samples: list[Sample] = []
    marks = list(MARKS)
    state, looked = "RUNNING", began
    while marks and time.perf_counter() < began + timeout:
        progress.changed.wait(1.0)
        progress.changed.clear()
        if time.perf_counter() - looked > 2:
            looked = time.perf_counter()
            state = call(root, "GET", f"/v2/executions/{progress.execution_id}")["state"]
        points = list(progress.points)
        ended = state not in ("IDLE", "RUNNING")
        if not points or (points[-1].done < marks[0] * total and not ended):
            continue
        rss = process.memory_info().rss / 2**20
        while marks and (points[-1].done >= marks[0] * total or ended):
            samples.append(sample(points, marks.pop(0), total, began, rss))
    end = time.monotonic() + 60
    while state in ("IDLE", "RUNNING") and time.monotonic() < end:
        state = call(root, "GET", f"/v2/executions/{progress.execution_id}")["state"]
        time.sleep(0.2)
    points = list(progress.points)
    # the last two batches end the task (the result list, the join's merged context): O(n) once
    early = [p for p in points if p.done <= 0.1 * total]
    steady = [sample(early, 0.1, total, began, 0.0, 0.1), sample(points[:-2], 1.0, total, began, 0.0, 0.1)] \
        if early and len(points) > 4 else None
    return samples, state, steady, sum(p.ms for p in points[-2:])


def table(label: str, samples: list[Sample], state: str, steady: list[Sample] | None, end_ms: float,
          out: Any) -> dict[str, Any]:
    print(f"\n{label}: {state}", file=out)
    print(f"{'done':>5} {'tasks':>7} {'elapsed s':>9} {'tasks/s':>8} {'RSS MB':>7} {'batch ms':>8} "
          f"{'DDB units/task':>14} {'$/M tasks':>9} {'so far':>7}", file=out)
    for s in samples:
        print(f"{s.mark:>5.0%} {s.done:>7} {s.elapsed:>9.1f} {s.rate:>8.1f} {s.rss_mb:>7.0f} {s.batch_ms:>8.1f} "
              f"{s.ddb_units_per_task:>14.2f} {s.dollars_per_million_tasks:>9.2f} {s.dollars_per_million_so_far:>7.2f}",
              file=out)
    verdict: dict[str, Any] = {"scenario": label, "state": state, "samples": [asdict(s) for s in samples]}
    if len(samples) == len(MARKS):
        first, last = samples[0], samples[-1]
        growth = (last.rss_mb - first.rss_mb) / max((last.done - first.done) / 1000, 1e-9)
        early, late = (steady[0].rate, steady[1].rate) if steady else (first.rate, last.rate)
        verdict.update(rate_ratio=late / early if early else None, rss_mb_per_1000=growth, end_batches_ms=end_ms)
        print(f"verdict: tasks/s over the last 10% (before the two batches that end the task, "
              f"{end_ms / 1000:.1f} s) / over the first 10% = {late:.1f} / {early:.1f} = "
              f"{late / early if early else float('nan'):.2f}; "
              f"RSS {growth:+.2f} MB per 1,000 tasks; "
              f"$ per million tasks {first.dollars_per_million_tasks:.2f} at 1%, "
              f"{last.dollars_per_million_tasks:.2f} at 100% ({last.dollars_per_million_so_far:.2f} all told)",
              file=out)
    else:
        print(f"verdict: incomplete ({len(samples)} of {len(MARKS)} marks reached)", file=out)
    return verdict


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000, help="with-items size (0: skip)")
    parser.add_argument("--concurrency", type=int, default=500)
    parser.add_argument("--branches", type=int, default=10_000, help="parallel tasks into the join (0: skip)")
    parser.add_argument("--timeout", type=float, default=7200, help="seconds per scenario")
    parser.add_argument("--no-inline", action="store_true",
                        help="send every action to the executors (SIROCCO_INLINE_ACTIONS=0)")
    parser.add_argument("--json", help="write the samples and verdicts to this file")
    parser.add_argument("--log", help="keep the runtime's log lines in this file (default: discarded)")
    args = parser.parse_args()

    for name in [k for k in os.environ if k.startswith(("AWS_", "SIROCCO_"))]:
        del os.environ[name]
    os.environ["SIROCCO_LOG_LEVEL"] = "INFO"  # the engine's batch lines are what we count
    if args.no_inline:
        os.environ["SIROCCO_INLINE_ACTIONS"] = "0"
    from sirocco.handlers import logs
    from sirocco.local.dev import DevOptions, DevStack
    from sirocco.metering import meter

    out = sys.stdout
    out.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
    progress = Progress(meter.ledger())
    logs.logger.addHandler(progress)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    verdicts = []
    with tempfile.TemporaryDirectory() as tmp, \
            open(args.log or os.path.join(tmp, "dev.log"), "w", encoding="utf-8", buffering=1) as log_file, \
            contextlib.redirect_stdout(log_file), contextlib.redirect_stderr(log_file):
        stack = DevStack(DevOptions(port=free_port(), retry_delay=1)).start()
        try:
            root = stack.api_url
            print(f"local runtime ready in {stack.startup_seconds:.1f} s; {psutil.cpu_count()} CPUs", file=out)
            if args.items:
                found = run(root, progress, "scale_items", with_items_workflow(args.concurrency),
                            {"n": args.items}, args.items + 1, args.timeout)
                verdicts.append(table(f"with-items over {args.items:,} items, concurrency {args.concurrency}",
                                      *found, out))
            if args.branches:
                found = run(root, progress, "scale_fan_in", fan_in_workflow(args.branches), {},
                            args.branches + 3, args.timeout)
                verdicts.append(table(f"{args.branches:,} parallel tasks into one join: all", *found, out))
        finally:
            stack.stop()
    if args.json:
        Path(args.json).write_text(json.dumps(verdicts, indent=2) + "\n")


if __name__ == "__main__":
    main()
