"""`sirocco dev --faults`: a client runs workflows over HTTP, unchanged, against a
server that delivers every message twice, crashes handlers, throttles DynamoDB and
SQS and loses executor messages; they end as they would without faults (lost
actions end by the default action timeout, which the sweeper applies once the dev
clock is moved past it, and their tasks' retry runs them again)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

from ..dev.devprocess import READY, ROOT, Dev
from ..dev.ports import free_port

FAULTS = "duplicate=1.0,crash=0.1,throttle=0.02,lost=0.2,seed=5"
WORKFLOW = """
version: '2.0'
dev_faults:
  input: [n]
  output: {total: <% $.a + $.b + $.c %>}
  task-defaults:
    retry: {count: 6, delay: 0}
  tasks:
    split:
      action: std.noop
      on-success: [a, b, c]
    a:
      action: std.echo output=<% $.n %>
      publish: {a: <% task().result %>}
      on-success: [sum]
    b:
      action: std.echo output=<% $.n * 10 %>
      publish: {b: <% task().result %>}
      on-success: [sum]
    c:
      action: std.echo output=<% $.n * 100 %>
      publish: {c: <% task().result %>}
      on-success: [sum]
    sum:
      join: all
      action: std.noop
"""


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dev]:
    import os

    log = tmp_path_factory.mktemp("dev-faults") / "dev.log"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SIROCCO_"))}
    env["SIROCCO_LOG_LEVEL"] = "WARNING"
    env["SIROCCO_INLINE_ACTIONS"] = "0"  # std.noop and std.echo meet the lost-message fault too
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen([sys.executable, "-m", "sirocco.cli", "dev", "--port", str(port),
                                    "--faults", FAULTS], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, text=True)
    handle = Dev(process, Path(log), port)
    try:
        deadline = time.monotonic() + 30
        while not READY.search(handle.output()):
            assert process.poll() is None and time.monotonic() < deadline, handle.output()
            time.sleep(0.05)
        yield handle
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def _advance(dev: Dev, seconds: float) -> None:
    """Move `sirocco dev`'s clock (POST /_dev/clock)."""
    request = urllib.request.Request(f"http://127.0.0.1:{dev.port}/_dev/clock", method="POST",
                                     data=json.dumps({"advance": seconds}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200


def test_a_client_runs_workflows_unchanged_against_a_misbehaving_server(dev: Dev) -> None:
    assert "faults: duplicate=1,crash=0.1,lost=0.2,throttle=0.02,seed=5" in dev.output()  # what it injects
    status, body = dev.call("POST", "/workflows", WORKFLOW, content_type="text/plain")
    assert status == 201, body
    ids = []
    for n in range(1, 5):
        status, execution = dev.call("POST", "/executions", {"workflow_name": "dev_faults",
                                                              "input": json.dumps({"n": n})})
        assert status == 201, execution
        ids.append((n, execution["id"]))
    states: dict[str, Any] = {}
    deadline = time.monotonic() + 150
    while time.monotonic() < deadline:
        for n, eid in ids:
            status, current = dev.call("GET", f"/executions/{eid}")
            if status == 200 and current["state"] not in ("RUNNING", "IDLE"):
                states[eid] = (current["state"], json.loads(current["output"]))
        if len(states) == len(ids):
            break
        # lost actions wait for the default action timeout (60 s with lost faults): move
        # the clock past it, the sweeper's schedule fires, the sweeper ends them
        _advance(dev, 90)
        time.sleep(2)
    assert states == {eid: ("SUCCESS", {"total": n * 111}) for n, eid in ids}, dev.output()[-3000:]

    dev.process.send_signal(signal.SIGINT)
    assert dev.process.wait(30) == 0
    text = dev.output()
    injected = text[text.index("faults injected:"):].splitlines()[0]
    for kind in ("duplicate", "crash", "throttle", "lost"):
        assert kind in injected, injected
