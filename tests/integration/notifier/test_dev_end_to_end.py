"""Through `sirocco dev` as a user runs it (subprocess: the real pollers on the FIFO
notifier queue, the emulator's EventBridge delivering to the events queue), with the
real python-mistralclient: params.notify given at execution create reaches a webhook
on 127.0.0.1 in order although it refuses the first attempt; an event put on the bus
starts the trigger's workflow with input from the event, once."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any, Callable, Iterator

import boto3
import pytest

from mistralclient.api import client as mistral_client

from ..dev.devprocess import Dev, sirocco_dev
from .harness import Receiver
from .test_publishers import FLOW, FLOW_EVENTS

WAIT = 60.0


def _until(predicate: Callable[[], Any], what: str, dev: Dev) -> Any:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"still waiting for {what}\n{dev.output()[-3000:]}")


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dev]:
    with sirocco_dev(tmp_path_factory.mktemp("notifier") / "sirocco-dev.log") as handle:
        yield handle


def test_mistralclient_notify_reaches_a_webhook_in_order(dev: Dev, receiver: Receiver) -> None:
    client = mistral_client.client(mistral_url=dev.api)
    name = f"wf_{uuid.uuid4().hex[:8]}"
    client.workflows.create(FLOW.format(name=name))
    receiver.answers = [500]  # the first notification's first attempt
    hook = {"type": "webhook", "url": f"{receiver.url}/dev", "headers": {"X-Team": "ops"}}
    execution = client.executions.create(name, workflow_input={}, notify=[hook])
    assert json.loads(client.executions.get(execution.id).params)["notify"] == [hook]
    _until(lambda: client.executions.get(execution.id).state == "SUCCESS", "the execution", dev)
    _until(lambda: len(receiver.delivered("/dev")) == len(FLOW_EVENTS), "every notification", dev)
    assert receiver.to("/dev")[0].status == 500
    delivered = receiver.delivered("/dev")
    assert [r.body["event"] for r in delivered] == FLOW_EVENTS
    assert {r.headers["X-Team"] for r in delivered} == {"ops"}
    assert {r.body["id"] for r in delivered if r.body["event"].startswith("WORKFLOW")} == {execution.id}


ORDER = """version: '2.0'
{name}:
  input: [order_id]
  output:
    seen: <% $.order_id %>
  tasks:
    ack:
      action: std.noop
"""


def test_an_event_put_on_the_bus_starts_the_trigger_workflow(dev: Dev) -> None:
    name = f"wf_{uuid.uuid4().hex[:8]}"
    status, created = dev.call("POST", "/workflows", ORDER.format(name=name), "text/plain")
    assert status == 201, created
    status, trigger = dev.call("POST", "/event_triggers", {
        "name": name, "workflow_id": created["workflows"][0]["id"], "exchange": "shop", "topic": "orders",
        "event": "order.created", "workflow_params": {"event_input": {"order_id": "$.detail.id"}}})
    assert status == 201, trigger
    events = boto3.client("events", endpoint_url=dev.emulator, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    answer = events.put_events(Entries=[{"Source": "shop", "DetailType": "order.created",
                                         "Detail": json.dumps({"id": "o-42"})}])
    assert answer["FailedEntryCount"] == 0

    def finished() -> list[dict[str, Any]]:
        status, listed = dev.call("GET", f"/executions?workflow_name={name}")
        assert status == 200, listed
        return [e for e in listed["executions"] if e["state"] == "SUCCESS"]

    [execution] = _until(finished, "the triggered execution", dev)
    assert json.loads(execution["input"]) == {"order_id": "o-42"}
    status, full = dev.call("GET", f"/executions/{execution['id']}")
    assert json.loads(full["output"]) == {"seen": "o-42"}
    assert json.loads(full["description"])["triggered_by"]["id"] == trigger["id"]
    status, _ = dev.call("DELETE", f"/event_triggers/{trigger['id']}")
    assert status == 204
