"""Throughput and latency of the running service, next to real Mistral, in one run.

Four workflows, driven only through python-mistralclient on both services:

- ``seq``: 50 sequential std.noop tasks (direct workflow);
- ``fanout``: 50 parallel std.noop tasks into one ``join: all`` task;
- ``items``: one task, with-items over 200 items running std.echo;
- ``trivial``: one std.noop task (create-to-SUCCESS latency).

A run is timed from just before ``executions.create`` until a poll of
``executions.get`` sees a terminal state; both services are polled at the same
interval (``--poll``; ``--trivial-poll`` for the trivial workflow, which runs
more often, ``--trivial-runs``). Tasks per second count the task executions the
API lists after the run (action executions for with-items). Each scenario runs
once untimed on each service first (Mistral compiles and caches a workflow on
its first run; Sirocco parses and caches its spec).

Without ``--url`` the script starts ``sirocco dev`` itself on free ports and
stops it at the end. Mistral (``--oracle``, default the oracle of
../shared/oracle on 127.0.0.1:8990) is measured in the same invocation, scenario
by scenario after Sirocco; when nothing answers there its columns are skipped.

    .venv/bin/python bench/throughput.py [--runs 3] [--oracle URL|none] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")

from mistralclient.api import client as mistral_client  # noqa: E402
from localapi import free_port  # noqa: E402 (bench/localapi.py, beside this script)

ORACLE_URL = "http://127.0.0.1:8990/v2"
TERMINAL = ("SUCCESS", "ERROR", "CANCELLED")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ---------------------------------------------------------------------------- workflows

def sequence(name: str, n: int) -> str:
    lines = ["version: '2.0'", f"{name}:", "  tasks:"]
    for i in range(n):
        lines += [f"    t{i}:", "      action: std.noop"]
        if i + 1 < n:
            lines.append(f"      on-success: [t{i + 1}]")
    return "\n".join(lines) + "\n"


def fan_out(name: str, n: int) -> str:
    lines = ["version: '2.0'", f"{name}:", "  tasks:"]
    for i in range(n):
        lines += [f"    p{i}:", "      action: std.noop", "      on-success: [join]"]
    lines += ["    join:", "      join: all", "      action: std.noop"]
    return "\n".join(lines) + "\n"


def with_items(name: str, _m: int) -> str:
    return (f"version: '2.0'\n{name}:\n  input:\n    - xs: []\n  tasks:\n    t:\n"
            "      with-items: x in <% $.xs %>\n      action: std.echo output=<% $.x %>\n")


def trivial(name: str, _n: int) -> str:
    return f"version: '2.0'\n{name}:\n  tasks:\n    t:\n      action: std.noop\n"


@dataclass(frozen=True)
class Scenario:
    key: str
    label: str
    make: Callable[[str, int], str]
    size: int
    input: dict[str, Any]
    #: what the rate counts: "tasks" or "actions"
    unit: str


def scenarios(n: int, m: int) -> list[Scenario]:
    return [
        Scenario("seq", f"sequence {n} x std.noop", sequence, n, {}, "tasks"),
        Scenario("fanout", f"fan-out {n} + join", fan_out, n, {}, "tasks"),
        Scenario("items", f"with-items {m} x std.echo", with_items, m, {"xs": list(range(m))}, "actions"),
        Scenario("trivial", "trivial 1 x std.noop", trivial, 1, {}, "tasks"),
    ]


# ---------------------------------------------------------------------------- measuring

@dataclass
class Measured:
    times: list[float] = field(default_factory=list)
    create_calls: list[float] = field(default_factory=list)
    count: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def rate(self) -> float:
        return self.count / self.median if self.median else 0.0


def run_once(client: Any, workflow: str, wf_input: dict[str, Any], poll: float, timeout: float) -> tuple[str, float, float]:
    """(execution id, seconds to a terminal state, seconds the create call took)."""
    began = time.perf_counter()
    execution = client.executions.create(workflow, workflow_input=wf_input)
    created = time.perf_counter() - began
    while execution.state not in TERMINAL:
        if time.perf_counter() - began > timeout:
            raise RuntimeError(f"execution {execution.id} still {execution.state} after {timeout} s")
        time.sleep(poll)
        execution = client.executions.get(execution.id)
    elapsed = time.perf_counter() - began
    if execution.state != "SUCCESS":
        raise RuntimeError(f"execution {execution.id} ended {execution.state}: {execution.state_info}")
    return execution.id, elapsed, created


def counted(client: Any, execution_id: str, unit: str) -> int:
    """Task executions of an execution, or action executions of its tasks."""
    tasks = client.tasks.list(workflow_execution_id=execution_id, limit=1000)
    if unit == "tasks":
        return len(tasks)
    return sum(len(client.action_executions.list(task_execution_id=t.id, limit=1000)) for t in tasks)


def measure(client: Any, scenario: Scenario, runs: int, poll: float, timeout: float, tag: str,
            service: str) -> Measured:
    name = f"bench_{scenario.key}_{tag}"
    client.workflows.create(scenario.make(name, scenario.size))
    try:
        run_once(client, name, scenario.input, poll, timeout)  # warm-up, untimed
        result = Measured()
        execution_id = ""
        for index in range(runs):
            execution_id, elapsed, created = run_once(client, name, scenario.input, poll, timeout)
            result.times.append(elapsed)
            result.create_calls.append(created)
            if runs <= 5 or index == runs - 1:
                print(f"  {service:8} {scenario.label:26} run {index + 1}: {elapsed:.3f} s "
                      f"(create call {created * 1000:.0f} ms)", file=sys.stderr, flush=True)
        result.count = counted(client, execution_id, scenario.unit)
        return result
    finally:
        try:
            client.workflows.delete(name)
        except Exception:  # noqa: BLE001 - executions may still refer to it (Mistral)
            pass


# ---------------------------------------------------------------------------- the services

def answers(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/", timeout=timeout) as response:
            return response.status < 500
    except Exception:  # noqa: BLE001
        return False


class DevProcess:
    """``sirocco dev`` in a child process, on free ports, for the length of the run."""

    def __init__(self, extra: list[str], variables: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v2"
        command = [sys.executable, "-m", "sirocco.cli", "dev", "--port", str(self.port), *extra]
        env = dict(os.environ, **variables,
                   PYTHONPATH=os.pathsep.join(filter(None, [os.path.join(ROOT, "chalicelib"),
                                                            os.environ.get("PYTHONPATH")])))
        self.log = open(os.path.join(tempfile.gettempdir(), "sirocco-throughput-dev.log"), "w", encoding="utf-8")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while not answers(self.url, 1.0):
            if self.process.poll() is not None:
                raise SystemExit(f"sirocco dev exited ({self.process.returncode}); see {self.log.name}")
            if time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"sirocco dev did not answer within {timeout:.0f} s; see {self.log.name}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


# ---------------------------------------------------------------------------- the table

def table(rows: list[dict[str, Any]], with_oracle: bool) -> str:
    head = ["scenario", "sirocco s", "per s"]
    if with_oracle:
        head += ["mistral s", "per s", "ratio"]
    lines = [head]
    for row in rows:
        mine = row["sirocco"]
        line = [row["label"], f"{mine['median_s']:.3f}", f"{mine['rate']:.1f} {row['unit']}"]
        if with_oracle:
            theirs = row.get("mistral")
            if theirs:
                ratio = mine["rate"] / theirs["rate"] if theirs["rate"] else float("inf")
                line += [f"{theirs['median_s']:.3f}", f"{theirs['rate']:.1f} {row['unit']}", f"{ratio:.1f}x"]
            else:
                line += ["-", "-", "-"]
        lines.append(line)
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    return "\n".join("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in
                               enumerate(zip(line, widths))) for line in lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running Sirocco's /v2 URL (default: start `sirocco dev` on a free port)")
    parser.add_argument("--oracle", default=ORACLE_URL,
                        help=f"Mistral's /v2 URL (default {ORACLE_URL}; 'none' to skip)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per scenario (default 3)")
    parser.add_argument("--trivial-runs", type=int, default=20, help="timed runs of the trivial workflow (default 20)")
    parser.add_argument("--poll", type=float, default=0.02, help="seconds between polls (default 0.02)")
    parser.add_argument("--trivial-poll", type=float, default=0.005,
                        help="seconds between polls of the trivial workflow (default 0.005)")
    parser.add_argument("--n", type=int, default=50, help="tasks of the sequence and the fan-out (default 50)")
    parser.add_argument("--m", type=int, default=200, help="items of the with-items (default 200)")
    parser.add_argument("--only", default="seq,fanout,items,trivial", help="scenarios, comma-separated")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds one run may take")
    parser.add_argument("--dev-arg", action="append", default=[], metavar="ARG",
                        help="an argument for the `sirocco dev` this starts (repeatable)")
    parser.add_argument("--executor", action="store_true",
                        help="the `sirocco dev` this starts runs every action on the executor queue "
                             "(SIROCCO_INLINE_ACTIONS=0), as it runs actions other than std.noop/echo/fail")
    parser.add_argument("--json", metavar="FILE", help="write every figure here")
    args = parser.parse_args(argv)

    wanted = [key.strip() for key in args.only.split(",") if key.strip()]
    chosen = [s for s in scenarios(args.n, args.m) if s.key in wanted]
    dev = None
    url = args.url
    if url is None:
        dev = DevProcess(args.dev_arg, {"SIROCCO_INLINE_ACTIONS": "0"} if args.executor else {})
        dev.wait()
        url = dev.url
    oracle = None if args.oracle.lower() in ("", "none", "no") else args.oracle
    if oracle and not answers(oracle):
        print(f"Mistral: nothing answers at {oracle}; measuring Sirocco only "
              "(start it with: bash ../shared/oracle/serve.sh)", file=sys.stderr)
        oracle = None
    services = {"sirocco": mistral_client.client(mistral_url=url)}
    if oracle:
        services["mistral"] = mistral_client.client(mistral_url=oracle)
    load_before = _load()
    tag = uuid.uuid4().hex[:6]
    rows: list[dict[str, Any]] = []
    try:
        for scenario in chosen:
            runs = args.trivial_runs if scenario.key == "trivial" else args.runs
            poll = args.trivial_poll if scenario.key == "trivial" else args.poll
            row: dict[str, Any] = {"key": scenario.key, "label": scenario.label, "unit": scenario.unit,
                                   "runs": runs, "poll_s": poll}
            for service, client in services.items():
                found = measure(client, scenario, runs, poll, args.timeout, tag, service)
                row[service] = {**asdict(found), "median_s": found.median, "rate": found.rate}
            rows.append(row)
    finally:
        if dev is not None:
            dev.stop()

    print(table(rows, oracle is not None))
    polls = sorted({(r["key"] == "trivial", r["poll_s"]) for r in rows})
    print("median of {} runs ({} of the trivial one) from create to a terminal state; polled every {}".format(
        args.runs, args.trivial_runs,
        ", ".join(f"{p * 1000:g} ms" + (" (trivial)" if t else "") for t, p in polls)))
    for row in rows:
        if row["key"] == "trivial":
            line = f"trivial create-to-SUCCESS: sirocco {row['sirocco']['median_s'] * 1000:.0f} ms"
            if "mistral" in row:
                line += f", mistral {row['mistral']['median_s'] * 1000:.0f} ms"
            print(line + f" (median of {row['runs']})")
    started = " (sirocco dev started by this script" + (", every action on the executor queue)" if args.executor
                                                         else ")") if dev else ""
    print(f"sirocco: {url}{started}; "
          f"mistral: {oracle or 'not measured'}; load average before/after: {load_before} / {_load()}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"sirocco_url": url, "mistral_url": oracle, "scenarios": rows}, handle, indent=2)
    return 0


def _load() -> str:
    try:
        with open("/proc/loadavg", encoding="ascii") as handle:
            return " ".join(handle.read().split()[:3])
    except OSError:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
