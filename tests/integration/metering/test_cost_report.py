"""An execution's cost report on the local runtime (in this process, metering on, over
real HTTP, boto3 and PynamoDB): the invocations, SQS requests and DynamoDB units a
3-task sequence takes, 404s as the other execution routes answer them, and a message
delivered twice counted twice (AWS bills it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

from ..dev.devprocess import READY, ROOT
from ..dev.ports import free_port

TOKEN, PROJECT = "cost-token-a", "cost-project-a"
WORKFLOW = """
version: '2.0'
cost_three:
  tasks:
    one:
      action: std.echo output=1
      on-success: [two]
    two:
      action: std.echo output=2
      on-success: [three]
    three:
      action: std.echo output=3
cost_parent:
  tasks:
    subs:
      with-items: x in <% [1, 2] %>
      workflow: cost_three
"""


class Server:
    """`sirocco dev` in a subprocess (metering is on by default there)."""

    def __init__(self, log: Path, *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SIROCCO_"))}
        # every action through an executor (the engine may run std.echo itself), a second project's token
        env.update(SIROCCO_LOG_LEVEL="WARNING", SIROCCO_INLINE_ACTIONS="0", SIROCCO_API_KEYS=f"{TOKEN}={PROJECT}")
        self.log = log
        with open(log, "w", encoding="utf-8") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "sirocco.cli", "dev", "--port", str(self.port), "--retry-delay", "1", *args],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 30
        while not READY.search(log.read_text()):
            assert self.process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        code, body = self.call("POST", "/v2/workflows", WORKFLOW, content_type="text/plain")
        assert code == 201, body

    def call(self, method: str, path: str, body: Any = None, *, content_type: str = "application/json",
             token: str | None = None) -> tuple[int, Any]:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": content_type, **({"X-Auth-Token": token} if token else {})}
        request = urllib.request.Request(f"{self.url}{path}", data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")

    def run(self, workflow: str = "cost_three") -> dict[str, Any]:
        """Run ``workflow`` to its end; its cost report once no invocation of it is still returning."""
        code, execution = self.call("POST", "/v2/executions", {"workflow_name": workflow})
        assert code == 201, execution
        deadline = time.monotonic() + 60
        while execution["state"] not in ("SUCCESS", "ERROR"):
            assert time.monotonic() < deadline, execution
            time.sleep(0.1)
            execution = self.call("GET", f"/v2/executions/{execution['id']}")[1]
        assert execution["state"] == "SUCCESS", execution
        report: Any = None
        while True:
            time.sleep(0.3)
            code, latest = self.call("GET", f"/v2/executions/{execution['id']}/cost")
            assert code == 200, latest
            if latest == report:
                return report
            report = latest
            assert time.monotonic() < deadline

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    handle = Server(tmp_path_factory.mktemp("cost") / "dev.log")
    try:
        yield handle
    finally:
        handle.stop()


def _units(report: dict[str, Any], service: str, operations: tuple[str, ...] | None = None) -> float:
    return sum(r["units"] for r in report["requests"]
               if r["service"] == service and (operations is None or r["operation"] in operations))


def test_a_sequence_costs_what_its_invocations_messages_and_writes_cost(server: Server) -> None:
    report = server.run()
    assert report["metered"] is True
    assert (report["tasks"], report["steps"]) == (3, 3)
    functions = report["lambda"]
    assert functions["engine"]["invocations"] >= 3  # the start, then a result per task
    assert functions["executor"]["invocations"] >= 3  # one action per task
    assert functions["api_handler"]["invocations"] == 1  # the POST that started it; GETs are not its cost
    assert all(f["gb_seconds"] > 0 for f in functions.values())
    assert _units(report, "sqs-standard", ("SendMessageBatch", "SendMessage")) >= 3  # actions to the executor
    assert _units(report, "sqs-fifo", ("SendMessageBatch", "SendMessage")) >= 3  # results to the engine
    # the event source's own receives and deletes, one each per invocation
    assert _units(report, "sqs-fifo", ("ReceiveMessage",)) == functions["engine"]["invocations"]
    assert _units(report, "sqs-standard", ("DeleteMessageBatch",)) == functions["executor"]["invocations"]
    assert _units(report, "dynamodb", ("PutItem", "UpdateItem", "BatchWriteItem", "TransactWriteItems")) > 0
    assert _units(report, "dynamodb", ("GetItem", "Query", "BatchGetItem")) > 0
    cost = report["cost"]
    parts = sum(r["cost"] for r in report["requests"]) + sum(f["cost"] for f in functions.values())
    assert cost["total"] == pytest.approx(parts)
    assert cost["total"] == pytest.approx(sum(cost["by_service"].values()))
    assert cost["per_step"] == pytest.approx(cost["total"] / 3)
    assert report["step_functions_standard"]["cost"] == pytest.approx(3 * 25 / 1_000_000)


def test_a_parents_report_adds_its_sub_executions(server: Server) -> None:
    report = server.run("cost_parent")
    assert (report["tasks"], report["steps"]) == (1, 2)  # one task, two runs
    tree = report["including_sub_executions"]
    assert (tree["executions"], tree["steps"]) == (3, 2 + 3 + 3)
    assert tree["cost"]["total"] > report["cost"]["total"] > 0
    assert tree["lambda"]["executor"]["invocations"] >= 3  # the children's actions (a batch may hold both)
    assert "executor" not in report["lambda"]


def test_unknown_and_other_projects_executions_are_404(server: Server) -> None:
    code, body = server.call("GET", "/v2/executions/no-such-execution/cost")
    assert code == 404
    assert body["faultstring"] == "WorkflowExecution not found [id=no-such-execution]"
    _, execution = server.call("POST", "/v2/executions", {"workflow_name": "cost_three"})
    code, body = server.call("GET", f"/v2/executions/{execution['id']}/cost", token=TOKEN)
    assert code == 404
    assert body["faultstring"] == f"WorkflowExecution not found [id={execution['id']}]"


def test_sirocco_cost_prints_the_report(server: Server) -> None:
    report = server.run()
    command = [sys.executable, "-m", "sirocco.cli", "cost", report["id"], "--url", server.url]
    shown = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert shown.returncode == 0, shown.stderr
    assert f"execution {report['id']} (cost_three): SUCCESS, 3 task(s), 3 step(s)" in shown.stdout
    assert "engine" in shown.stdout and "Step Functions Standard: $25.00" in shown.stdout
    as_json = subprocess.run([*command, "--json"], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert json.loads(as_json.stdout) == report
    missing = subprocess.run([*command[:4], "nope", "--url", server.url], capture_output=True, text=True,
                             timeout=60, cwd=ROOT)
    assert missing.returncode == 1 and "404" in missing.stderr


def test_a_message_delivered_twice_is_paid_twice(server: Server, tmp_path: Path) -> None:
    once = server.run()
    doubled = Server(tmp_path / "dev.log", "--faults", "duplicate=1.0,seed=3")
    try:
        twice = doubled.run()
    finally:
        doubled.stop()
    for function in ("engine", "executor"):
        assert twice["lambda"][function]["invocations"] > once["lambda"][function]["invocations"]
    assert twice["cost"]["total"] > once["cost"]["total"]
