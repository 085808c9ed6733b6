"""`sirocco dev` as a user runs it: a subprocess on a free port, reached over
HTTP; its emulator holds exactly the template's resources; workflows started
through the API reach SUCCESS and ERROR with their records in DynamoDB; a
1,000-item with-items completes; Ctrl-C stops it with exit status 0."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import boto3
import pytest

from sirocco.local.devresources import Clients, verify
from sirocco.local.devtemplate import LocalPlan, load_template
from .ports import free_port, port_free

ROOT = Path(__file__).resolve().parents[3]
READY = re.compile(r"ready in ([0-9.]+) s")
EMULATOR = re.compile(r"embedded emulator (http://127\.0\.0\.1:\d+)")


class Dev:
    def __init__(self, process: subprocess.Popen[str], log: Path, port: int) -> None:
        self.process, self.log, self.port = process, log, port
        self.api = f"http://127.0.0.1:{port}/v2"
        self.emulator = ""
        self.ready_seconds = 0.0
        self.wall_seconds = 0.0

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def call(self, method: str, path: str, body: Any = None, content_type: str = "application/json") -> tuple[int, Any]:
        data = body.encode() if isinstance(body, str) else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.api + path, data=data, method=method,
                                         headers={"Content-Type": content_type})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def run(self, workflow: str, wf_input: dict[str, Any], timeout: float = 120.0) -> dict[str, Any]:
        status, execution = self.call("POST", "/executions", {"workflow_name": workflow,
                                                              "input": json.dumps(wf_input)})
        assert status == 201, execution
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, current = self.call("GET", f"/executions/{execution['id']}")
            if status == 200 and current["state"] not in ("RUNNING", "IDLE"):
                return current
            time.sleep(0.1)
        raise AssertionError(f"{workflow} still running after {timeout} s\n{self.output()[-3000:]}")


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dev]:
    port = free_port()
    log = tmp_path_factory.mktemp("dev") / "sirocco-dev.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SIROCCO_"))}
    env["SIROCCO_LOG_LEVEL"] = "WARNING"
    began = time.monotonic()
    with open(log, "w", encoding="utf-8") as out:
        # --retry-delay 1: a batch a handler fails (an engine save that lost a race
        # ...) comes back in a second, not after the engine queue's 360 s
        process = subprocess.Popen([sys.executable, "-m", "sirocco.cli", "dev", "--port", str(port),
                                    "--retry-delay", "1"],
                                   cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
    handle = Dev(process, log, port)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            text = handle.output()
            ready = READY.search(text)
            if ready:
                handle.ready_seconds = float(ready.group(1))
                handle.wall_seconds = time.monotonic() - began
                handle.emulator = EMULATOR.search(text).group(1)  # type: ignore[union-attr]
                break
            assert process.poll() is None, f"sirocco dev exited:\n{text}"
            time.sleep(0.05)
        else:
            raise AssertionError(f"sirocco dev not ready in 30 s:\n{handle.output()}")
        yield handle
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def test_starts_in_under_five_seconds(dev: Dev) -> None:
    assert dev.ready_seconds < 5, dev.output()
    print(f"\nsirocco dev ready in {dev.ready_seconds:.2f} s ({dev.wall_seconds:.2f} s with the interpreter)")


def test_the_emulator_holds_the_templates_resources(dev: Dev) -> None:
    plan = LocalPlan.from_template(load_template())
    clients = Clients(*(boto3.client(service, endpoint_url=dev.emulator, region_name="us-east-1",
                                     aws_access_key_id="testing", aws_secret_access_key="testing")
                        for service in ("dynamodb", "sqs", "s3", "scheduler")))
    assert verify(plan, clients) == []
    names = {q.rsplit("/", 1)[-1] for q in clients.sqs.list_queues()["QueueUrls"]}
    assert names == {q.name for q in plan.queues}


def _needs_the_api() -> None:
    if not (ROOT / "app.py").is_file():
        pytest.skip("app.py (the Chalice app with the /v2 routes) is not there yet")


GREET = """version: '2.0'
greet:
  input: [names]
  output:
    lines: <% $.lines %>
  tasks:
    each:
      with-items: n in <% $.names %>
      action: std.echo output="hello <% $.n %>"
      publish: {lines: <% task().result %>}
broken:
  tasks:
    boom:
      action: std.fail
many:
  input: [n]
  tasks:
    each:
      with-items: i in <% range($.n) %>
      action: std.echo output=<% $.i %>
      publish: {count: <% len(task().result) %>}
"""


@pytest.fixture(scope="module")
def workflows(dev: Dev) -> None:
    _needs_the_api()
    status, body = dev.call("POST", "/workflows", GREET, "text/plain")
    assert status == 201, body


def test_a_workflow_started_over_http_succeeds(dev: Dev, workflows: None) -> None:
    done = dev.run("greet", {"names": ["ann", "bob"]})
    assert done["state"] == "SUCCESS", done
    assert json.loads(done["output"]) == {"lines": ["hello ann", "hello bob"]}
    items = boto3.client("dynamodb", endpoint_url=dev.emulator, region_name="us-east-1",
                         aws_access_key_id="testing", aws_secret_access_key="testing").query(
        TableName="sirocco-executions", KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": done["id"]}})["Items"]
    keys = [item["sk"]["S"].split("#")[0] for item in items]
    assert "EXEC" in keys and keys.count("TASK") == 1 and keys.count("ACTION") == 2


def test_a_failing_workflow_ends_in_error(dev: Dev, workflows: None) -> None:
    done = dev.run("broken", {})
    assert done["state"] == "ERROR", done


def test_a_1000_item_with_items_completes(dev: Dev, workflows: None) -> None:
    began = time.monotonic()
    done = dev.run("many", {"n": 1000}, timeout=240)
    seconds = time.monotonic() - began
    assert done["state"] == "SUCCESS", done
    assert json.loads(done["output"]) == {"count": 1000}
    print(f"\n1,000-item with-items through sirocco dev: {seconds:.1f} s")


def test_ctrl_c_stops_it_cleanly(dev: Dev) -> None:
    began = time.monotonic()
    dev.process.send_signal(signal.SIGINT)
    assert dev.process.wait(10) == 0, dev.output()[-3000:]
    assert time.monotonic() - began < 5
    assert "stopped in" in dev.output()
    assert port_free(dev.port)
    assert port_free(int(dev.emulator.rsplit(":", 1)[1]))
