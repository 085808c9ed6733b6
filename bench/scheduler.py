"""How close to its due time a wait fires on `sirocco dev`.

Starts `sirocco dev` (a subprocess, INFO logs), then, for each path a delayed
call can take:

- ``sqs``: ``wait-before: 5``, delayed by SQS (the timer queue's per-message delay);
- ``scheduler``: ``wait-before: 3600``, a one-time EventBridge Scheduler schedule;
  the clock is moved (``POST /_dev/clock``) to 1.5 s before the call is due, then
  the schedule fires on its own;

runs ``--runs`` executions one after the other and reads, from the log, when the
timer sent ``CallFired`` and when the task's action ran, each minus the call's
due time (on the dev clock: log times are wall time, the offset is subtracted).
Prints min / median / p90 / max in seconds (negative: early). `--retry-delay 1`
as the tests: a batch that fails (an engine save that lost a race ...) comes back
in a second, not after the engine queue's 360 s.

    python bench/scheduler.py [--runs 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from localapi import free_port  # bench/localapi.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = """
version: '2.0'
bench_wait_{seconds}:
  tasks:
    later:
      action: std.echo output="woke up"
      wait-before: {seconds}
"""


class Dev:
    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.log = log
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SIROCCO_"))}
        env["SIROCCO_LOG_LEVEL"] = "INFO"
        self.out = open(log, "w", encoding="utf-8")
        self.process = subprocess.Popen([sys.executable, "-m", "sirocco.cli", "dev", "--port", str(self.port),
                                         "--retry-delay", "1"],
                                        cwd=ROOT, env=env, stdout=self.out, stderr=subprocess.STDOUT, text=True)
        self.root = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while "ready in" not in log.read_text():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise SystemExit(f"sirocco dev did not start:\n{log.read_text()}")
            time.sleep(0.1)

    def call(self, method: str, path: str, body: Any = None, content_type: str = "application/json") -> Any:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.root + path, data=data, method=method,
                                         headers={"Content-Type": content_type})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(t) for t in self.log.read_text().splitlines() if t.startswith("{")]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(20)
        self.out.close()


def wall(line: dict[str, Any]) -> float:
    return dt.datetime.strptime(line["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc).timestamp()


def one(dev: Dev, seconds: int, move_clock: bool) -> tuple[float, float]:
    """(CallFired sent, action ran) minus the due time, in seconds, for one execution."""
    execution = dev.call("POST", "/v2/executions", {"workflow_name": f"bench_wait_{seconds}"})
    eid = execution["id"]
    if move_clock:
        scheduled = None
        while scheduled is None:
            scheduled = next((l for l in dev.lines() if l.get("msg") == "call scheduled"
                              and l.get("execution_id") == eid), None)
            time.sleep(0.05)
        clock = dev.call("GET", "/_dev/clock")  # the dev clock is wall time + offset
        due = wall(scheduled) + clock["offset"] + scheduled["due_in"]
        dev.call("POST", "/_dev/clock", {"advance": due - 1.5 - clock["now"]})
    while dev.call("GET", f"/v2/executions/{eid}")["state"] in ("IDLE", "RUNNING"):
        time.sleep(0.2)
    lines = [l for l in dev.lines() if l.get("execution_id") == eid]
    fired = next(l for l in lines if l.get("msg") == "call fired")
    ran = next(l for l in lines if l.get("msg") == "action ran")
    due_wall = wall(fired) - fired["late"]  # ``late`` is the timer's reading: its clock minus due
    return wall(fired) - due_wall, wall(ran) - due_wall


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
    return (f"min {ordered[0]:+.3f}  median {statistics.median(ordered):+.3f}  p90 {p90:+.3f}  "
            f"max {ordered[-1]:+.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--log", help="keep `sirocco dev`'s output in this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        dev = Dev(Path(args.log) if args.log else Path(tmp) / "dev.log")
        try:
            for seconds in (5, 3600):
                dev.call("POST", "/v2/workflows", WORKFLOW.format(seconds=seconds), "text/plain")
            for label, seconds, move in (("sqs delay (5 s)", 5, False), ("scheduler at() (1 h)", 3600, True)):
                results = [one(dev, seconds, move) for _ in range(args.runs)]
                print(f"{label}, {args.runs} runs")
                print(f"  CallFired sent - due: {summary([r[0] for r in results])}")
                print(f"  action ran - due:     {summary([r[1] for r in results])}")
        finally:
            dev.stop()


if __name__ == "__main__":
    main()
