"""Event triggers as a user sees them: an event put on the bus starts the trigger's
workflow with input taken from the event, once even when delivered twice; a pattern
narrows what matches; updating and deleting a trigger changes and removes its rule;
a pattern EventBridge refuses is a 400 that leaves nothing behind; a workflow's
success, published by the eventbridge notifier, starts another."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sirocco import eventbridge
from sirocco.api import event_triggers, execution_list, executions, workflows
from sirocco.api.errors import ApiError
from sirocco.eventrules.firing import execution_id as trigger_execution_id

from ..notifier.harness import Stack

ORDER = """version: '2.0'
{name}:
  input:
    - order_id
    - total
    - note: none
  output:
    seen: <% $.order_id %>
    total: <% $.total %>
    note: <% $.note %>
    source: <% execution().params.event_params.source %>
  tasks:
    ack:
      action: std.noop
"""


def _workflow(stack: Stack, text: str = ORDER) -> tuple[str, str]:
    name = f"wf_{uuid.uuid4().hex[:8]}"
    _, body = workflows.create(stack.rt, text.format(name=name))
    return name, body["workflows"][0]["id"]


def _trigger(stack: Stack, workflow_id: str, *, exchange: str, event: str, **extra: Any) -> dict[str, Any]:
    _, body = event_triggers.create(stack.rt, {"name": f"t-{uuid.uuid4().hex[:6]}", "workflow_id": workflow_id,
                                               "exchange": exchange, "topic": "orders", "event": event, **extra})
    return body


def _put(stack: Stack, source: str, detail_type: str, detail: dict[str, Any]) -> str:
    answer = eventbridge.shared().client.put_events(Entries=[{
        "Source": source, "DetailType": detail_type, "Detail": json.dumps(detail),
        "EventBusName": stack.env["SIROCCO_EVENT_BUS"]}])
    assert answer["FailedEntryCount"] == 0, answer
    return answer["Entries"][0]["EventId"]


def _delivered(stack: Stack) -> list[dict[str, Any]]:
    """The events queue's messages, received (and left in flight)."""
    url = stack.url("events")
    return stack.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages") or []


def _fire_all(stack: Stack) -> list[str]:
    """Deliver what the events queue holds; the ids of the executions now stored that
    triggers made (their description names the trigger)."""
    seen = len(stack.bodies.get("events", []))
    stack.pump("events")
    bodies = [json.loads(b) for b in stack.bodies.get("events", [])[seen:]]
    return [trigger_execution_id(b["trigger_id"], b["event"]["id"]) for b in bodies]


def test_an_event_on_the_bus_starts_the_workflow_with_input_from_the_event(stack: Stack) -> None:
    name, workflow_id = _workflow(stack)
    trigger = _trigger(stack, workflow_id, exchange="shop", event="order.created",
                       workflow_input={"note": "from a trigger"},
                       workflow_params={"event_input": {"order_id": "$.detail.order.id",
                                                        "total": "$.detail.order.lines[*].price"}})
    _put(stack, "shop", "order.updated", {"order": {"id": "o-0"}})  # another detail-type: no match
    event_id = _put(stack, "shop", "order.created", {"order": {"id": "o-1", "lines": [{"price": 3}, {"price": 4}]}})
    [execution_id] = _fire_all(stack)
    header = stack.finish(execution_id)
    assert header.state == "SUCCESS"
    assert header.output == {"seen": "o-1", "total": [3, 4], "note": "from a trigger", "source": "shop"}
    _, shown = executions.get(stack.rt, execution_id)
    described = json.loads(shown["description"])
    assert described["triggered_by"] == {"type": "event_trigger", "id": trigger["id"], "name": trigger["name"]}
    params = json.loads(shown["params"])
    assert params["event_params"]["id"] == event_id and "event_input" not in params
    assert _fire_all(stack) == []  # nothing else matched


def test_a_duplicate_delivery_starts_one_execution(stack: Stack) -> None:
    name, workflow_id = _workflow(stack)
    _trigger(stack, workflow_id, exchange="shop", event="order.paid",
             workflow_params={"event_input": {"order_id": "$.detail.id", "total": "$.detail.total"}})
    _put(stack, "shop", "order.paid", {"id": "o-2", "total": 10})
    [message] = _delivered(stack)
    # EventBridge and SQS deliver at least once: the same event arrives again
    stack.sqs.send_message(QueueUrl=stack.url("events"), MessageBody=message["Body"])
    stack.sqs.change_message_visibility(QueueUrl=stack.url("events"), ReceiptHandle=message["ReceiptHandle"],
                                        VisibilityTimeout=0)
    ids = _fire_all(stack)
    assert len(ids) == 2 and ids[0] == ids[1]
    stack.pump("events", twice=True)  # and a batch handled twice (a lost acknowledgement)
    header = stack.finish(ids[0])
    assert header.state == "SUCCESS" and header.output["seen"] == "o-2"
    _, listed = execution_list.list_executions(stack.rt, {"workflow_name": name}, "http://x/v2")
    assert [e["id"] for e in listed["executions"]] == [ids[0]]


def test_an_explicit_pattern_narrows_the_events_that_match(stack: Stack) -> None:
    name, workflow_id = _workflow(stack)
    _trigger(stack, workflow_id, exchange="shop", event="order.big",
             workflow_params={"event_pattern": {"detail": {"total": [{"numeric": [">", 100]}]}},
                              "event_input": {"order_id": "$.detail.id", "total": "$.detail.total"}})
    _put(stack, "shop", "order.big", {"id": "small", "total": 5})
    _put(stack, "shop", "order.big", {"id": "large", "total": 500})
    [execution_id] = _fire_all(stack)
    assert stack.finish(execution_id).output["seen"] == "large"


def test_update_changes_the_rule_and_delete_removes_it(stack: Stack) -> None:
    name, workflow_id = _workflow(stack)
    trigger = _trigger(stack, workflow_id, exchange="shop", event="order.moved",
                       workflow_params={"event_input": {"order_id": "$.detail.id", "total": "$.detail.total"}})
    bridge = eventbridge.shared()
    rule = bridge.describe_trigger_rule(trigger["id"])
    assert rule is not None and json.loads(rule["EventPattern"]) == {"source": ["shop"], "detail-type": ["order.moved"]}
    params = {"event_pattern": {"source": ["warehouse"]},
              "event_input": {"order_id": "$.detail.id", "total": "$.detail.total"}}
    event_triggers.update(stack.rt, trigger["id"], {"workflow_params": params})
    assert json.loads(bridge.describe_trigger_rule(trigger["id"])["EventPattern"]) == \
        {"source": ["warehouse"], "detail-type": ["order.moved"]}
    _put(stack, "shop", "order.moved", {"id": "a", "total": 1})
    _put(stack, "warehouse", "order.moved", {"id": "b", "total": 2})
    [execution_id] = _fire_all(stack)
    assert stack.finish(execution_id).output["seen"] == "b"

    event_triggers.delete(stack.rt, trigger["id"])
    assert bridge.describe_trigger_rule(trigger["id"]) is None
    _put(stack, "warehouse", "order.moved", {"id": "c", "total": 3})
    assert _fire_all(stack) == []


def test_an_event_for_a_trigger_deleted_meanwhile_starts_nothing(stack: Stack) -> None:
    name, workflow_id = _workflow(stack)
    trigger = _trigger(stack, workflow_id, exchange="shop", event="order.late",
                       workflow_params={"event_input": {"order_id": "$.detail.id", "total": "$.detail.total"}})
    _put(stack, "shop", "order.late", {"id": "x", "total": 1})
    event_triggers.delete(stack.rt, trigger["id"])
    [execution_id] = _fire_all(stack)  # delivered, handled, acknowledged
    assert stack.rt.executions.get_execution(execution_id) is None
    assert stack.pending() == 0


@pytest.mark.parametrize("params, message", [
    ({"event_pattern": {"detail": {"total": 5}}}, "detail.total must be a list of values or an object"),
    ({"event_pattern": "[1]"}, "event_pattern must be a non-empty JSON object"),
    ({"event_input": {"order_id": "$.detail[", "total": "$.t"}}, "event_input.order_id: invalid JSONPath"),
    ({"event_input": {"colour": "$.detail.colour"}}, "colour"),
])
def test_a_pattern_or_mapping_that_cannot_work_is_a_400(stack: Stack, params: dict[str, Any], message: str) -> None:
    _, workflow_id = _workflow(stack)
    with pytest.raises(ApiError) as refused:
        _trigger(stack, workflow_id, exchange="shop", event="order.bad", workflow_params=params)
    assert refused.value.status == 400 and message in refused.value.faultstring


def test_a_pattern_eventbridge_refuses_is_a_400_and_no_trigger(stack: Stack,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """AWS checks matchers the emulator does not (``numeric`` operators ...): its refusal
    is played here by the client, as AWS words it."""
    _, workflow_id = _workflow(stack)
    client = eventbridge.shared().client

    def refuse(**kwargs: Any) -> None:
        raise ClientError({"Error": {"Code": "InvalidEventPatternException",
                                     "Message": "Event pattern is not valid. Reason: Unrecognized numeric range "
                                                "operator: <>"}}, "PutRule")
    monkeypatch.setattr(client, "put_rule", refuse)
    before = {t.id for t in stack.rt.definitions.list("event_trigger")}
    with pytest.raises(ApiError) as refused:
        _trigger(stack, workflow_id, exchange="shop", event="order.odd",
                 workflow_params={"event_pattern": {"detail": {"n": [{"numeric": ["<>", 1]}]}},
                                  "event_input": {"order_id": "$.id", "total": "$.id"}})
    assert refused.value.status == 400
    assert "Invalid event pattern" in refused.value.faultstring and "operator: <>" in refused.value.faultstring
    assert {t.id for t in stack.rt.definitions.list("event_trigger")} == before


CHAINED = """version: '2.0'
{name}:
  input: [finished]
  output:
    after: <% $.finished %>
  tasks:
    ack:
      action: std.noop
"""


def test_a_workflow_success_published_on_the_bus_starts_another(stack: Stack) -> None:
    """The eventbridge publisher and an event trigger on Sirocco's own events: Mistral's
    exchange 'sirocco', event 'WORKFLOW_SUCCEEDED'."""
    first, _ = _workflow(stack, "version: '2.0'\n{name}:\n  tasks:\n    t:\n      action: std.noop\n")
    second, second_id = _workflow(stack, CHAINED)
    _trigger(stack, second_id, exchange="sirocco", event="WORKFLOW_SUCCEEDED",
             workflow_params={"event_pattern": {"detail": {"workflow_name": [first]}},
                              "event_input": {"finished": "$.detail.id"}})
    _, created = executions.create(stack.rt, {"workflow_name": first,
                                              "params": {"notify": [{"type": "eventbridge"}]}})
    seen = len(stack.bodies.get("events", []))
    stack.finish(created["id"])  # delivers the events queue too
    [delivered] = [json.loads(b) for b in stack.bodies["events"][seen:]]
    assert delivered["event"]["detail"]["id"] == created["id"]
    header = stack.finish(trigger_execution_id(delivered["trigger_id"], delivered["event"]["id"]))
    assert header.workflow == second and header.output == {"after": created["id"]}
