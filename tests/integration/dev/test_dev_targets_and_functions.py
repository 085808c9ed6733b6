"""`sirocco dev` with an executor target and the action functions of functions/:
a workflow started over HTTP calls fn.text_transform (run in-process from
functions/, with the same event Lambda would get) and gets its result, large
inputs and results travel through the emulator's S3, a task `target: special`
runs from the queue sirocco-executor-special, and the handlers write their
metric lines (CloudWatch embedded metric format) to the log."""

from __future__ import annotations

import json
from typing import Any, Iterator

import boto3
import pytest

from .devprocess import ROOT, Dev, sirocco_dev

WORKFLOWS = """version: '2.0'
tidy:
  input: [title]
  output:
    slug: <% $.slug %>
  tasks:
    slugify:
      action: fn.text_transform
      input:
        text: <% $.title %>
        operations: [squeeze, slug]
      publish: {slug: <% task().result %>}
shout:
  input: [text]
  output:
    loud: <% $.loud %>
  tasks:
    upper:
      action: fn.text_transform
      input:
        text: <% $.text %>
        operations: [upper]
      publish: {loud: <% task().result %>}
refused:
  tasks:
    odd:
      action: fn.text_transform
      input:
        text: x
        operations: [shout]
elsewhere:
  input: [who]
  output:
    greeting: <% $.greeting %>
    title: <% $.title %>
  tasks:
    greet:
      action: std.echo output="hello <% $.who %>"
      target: special
      publish: {greeting: <% task().result %>}
      on-success: [entitle]
    entitle:
      action: fn.text_transform
      target: special
      input:
        text: <% $.greeting %>
        operations: [title]
      publish: {title: <% task().result %>}
"""

LIMIT = 20_000


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dev]:
    if not (ROOT / "functions" / "text_transform" / "function.json").is_file():
        pytest.skip("the example action function is not there")
    log = tmp_path_factory.mktemp("dev-targets") / "sirocco-dev.log"
    with sirocco_dev(log, SIROCCO_EXECUTOR_TARGETS="special", SIROCCO_LOG_LEVEL="INFO",
                     SIROCCO_FUNCTION_PAYLOAD_LIMIT=str(LIMIT)) as handle:
        status, body = handle.call("POST", "/workflows", WORKFLOWS, "text/plain")
        assert status == 201, body
        yield handle


def _lines(dev: Dev) -> list[dict[str, Any]]:
    found = []
    for text in dev.output().splitlines():
        if text.startswith("{"):
            try:
                found.append(json.loads(text))
            except ValueError:
                continue
    return found


def _s3(dev: Dev) -> Any:
    return boto3.client("s3", endpoint_url=dev.emulator, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def test_the_target_queue_and_its_poller_are_there(dev: Dev) -> None:
    banner = dev.output()
    assert "sirocco-executor-special-dlq" in banner
    assert "sirocco-executor-special -> sirocco-dev-executor (batch 10)" in banner


def test_a_workflow_calls_the_example_function_and_gets_its_result(dev: Dev) -> None:
    done = dev.run("tidy", {"title": "  Crème   Brûlée for Two  "})
    assert done["state"] == "SUCCESS", done
    assert json.loads(done["output"]) == {"slug": "creme-brulee-for-two"}
    ran = [line for line in _lines(dev) if line.get("msg") == "action ran" and line["execution_id"] == done["id"]]
    assert [(line["action"], line["state"], line["queue"]) for line in ran] == [
        ("fn.text_transform", "SUCCESS", "sirocco-executor")]


def test_large_inputs_and_results_travel_through_s3(dev: Dev) -> None:
    text = "sirocco " * 5_000  # 40 KB in, 40 KB out: both above the 20 KB limit of this run
    done = dev.run("shout", {"text": text})
    assert done["state"] == "SUCCESS", done
    assert json.loads(done["output"]) == {"loud": text.upper()}
    objects = _s3(dev).list_objects_v2(Bucket="sirocco-payloads-123456789012-us-east-1",
                                       Prefix="functions/").get("Contents", [])
    sizes = sorted(o["Size"] for o in objects)
    assert len(sizes) >= 2 and all(size > LIMIT for size in sizes[-2:]), sizes


def test_an_error_answer_fails_the_task_with_its_value(dev: Dev) -> None:
    done = dev.run("refused", {})
    assert done["state"] == "ERROR", done
    status, body = dev.call("GET", f"/executions/{done['id']}/tasks")
    assert status == 200, body
    (task,) = body["tasks"]
    assert task["state"] == "ERROR" and "unknown_operation" in task["state_info"] and "shout" in task["state_info"]


def test_a_task_with_a_target_runs_from_its_queue(dev: Dev) -> None:
    done = dev.run("elsewhere", {"who": "ann"})
    assert done["state"] == "SUCCESS", done
    assert json.loads(done["output"]) == {"greeting": "hello ann", "title": "Hello Ann"}
    ran = [line for line in _lines(dev) if line.get("msg") == "action ran" and line["execution_id"] == done["id"]]
    assert [(line["action"], line["queue"]) for line in ran] == [
        ("std.echo", "sirocco-executor-special"), ("fn.text_transform", "sirocco-executor-special")]


def test_the_handlers_write_metric_lines(dev: Dev) -> None:
    dev.run("elsewhere", {"who": "bob"})
    lines = [line for line in _lines(dev) if "_aws" in line]
    batches = {line["Handler"] for line in lines if line["msg"] == "handler batch"}
    assert {"engine", "executor"} <= batches
    engine = next(line for line in lines if line.get("Handler") == "engine")
    (directive,) = engine["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "Sirocco" and directive["Dimensions"] == [["Service", "Handler"]]
    assert {m["Name"] for m in directive["Metrics"]} == {"Messages", "FailedMessages", "BatchDuration", "MessageAge"}
    assert engine["Service"] == "sirocco" and engine["Messages"] >= 1 and engine["MessageAge"] >= 0
    queues = {line["Queue"] for line in lines if line["msg"] == "actions ran"}
    assert {"sirocco-executor", "sirocco-executor-special"} <= queues
