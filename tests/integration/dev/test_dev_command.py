"""`sirocco dev` as a user runs it: a subprocess on a free port, reached over
HTTP; its emulator holds exactly the template's resources; workflows started
through the API reach SUCCESS and ERROR with their records in DynamoDB; a
1,000-item with-items completes; Ctrl-C stops it with exit status 0."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path
from typing import Iterator

import boto3
import pytest

from sirocco.local.devresources import Clients, verify
from sirocco.local.devtemplate import LocalPlan, load_template
from .devprocess import Dev, sirocco_dev
from .ports import port_free

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dev]:
    with sirocco_dev(tmp_path_factory.mktemp("dev") / "sirocco-dev.log") as handle:
        yield handle


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
