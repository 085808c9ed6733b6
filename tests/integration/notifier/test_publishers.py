"""Notifications as a user receives them: a webhook on 127.0.0.1 gets an execution's
notifications in order, also when it refuses the first attempt; a failing webhook
ends in the dead-letter queue with the cause; event_types filter; the log line; the
EventBridge publisher; the global SIROCCO_NOTIFY publishers."""

from __future__ import annotations

import dataclasses
import json
import uuid
from typing import Any

import pytest

from sirocco import eventbridge
from sirocco.api import executions, workflows

from .harness import Receiver, Stack

FLOW = """version: '2.0'
{name}:
  tasks:
    first:
      action: std.noop
      on-success: second
    second:
      action: std.echo output=2
      on-success: third
    third:
      action: std.noop
"""

FAILING = """version: '2.0'
{name}:
  tasks:
    boom:
      action: std.fail
"""

#: what Mistral 23.0.0 sends for FLOW (docs/engine.md, Notifications)
FLOW_EVENTS = ["WORKFLOW_LAUNCHED", "TASK_LAUNCHED", "TASK_SUCCEEDED", "TASK_LAUNCHED", "TASK_SUCCEEDED",
               "TASK_LAUNCHED", "TASK_SUCCEEDED", "WORKFLOW_SUCCEEDED"]


def _workflow(stack: Stack, text: str) -> str:
    name = f"wf_{uuid.uuid4().hex[:8]}"
    workflows.create(stack.rt, text.format(name=name))
    return name


def _run(stack: Stack, name: str, notify: list[dict[str, Any]] | None = None, **params: Any) -> Any:
    body: dict[str, Any] = {"workflow_name": name, "params": {**params, **({"notify": notify} if notify else {})}}
    _, created = executions.create(stack.rt, body)
    return stack.finish(created["id"])


def _events(received: list[Any]) -> list[str]:
    return [r.body["event"] for r in received]


def test_a_webhook_receives_an_executions_notifications_in_order(stack: Stack, receiver: Receiver) -> None:
    name = _workflow(stack, FLOW)
    hook = {"type": "webhook", "url": f"{receiver.url}/hook", "headers": {"Authorization": "Bearer x"}}
    header = _run(stack, name, [hook])
    assert header.state == "SUCCESS"
    got = receiver.delivered("/hook")
    assert _events(got) == FLOW_EVENTS
    first = got[0]
    assert first.headers["Authorization"] == "Bearer x"
    assert first.headers["Content-Type"] == "application/json"
    assert first.body["id"] == header.id and first.body["workflow_name"] == name
    assert first.body["project_id"] == "<default-project>" and first.body["workflow_id"]
    assert [r.body["name"] for r in got if r.body["event"] == "TASK_SUCCEEDED"] == ["first", "second", "third"]
    # every notification has its own id, the same on each delivery (receivers may dedupe)
    assert len({r.headers["X-Sirocco-Notification-Id"] for r in got}) == len(FLOW_EVENTS)


def test_a_webhook_that_fails_the_first_attempt_still_gets_them_in_order(stack: Stack,
                                                                         receiver: Receiver) -> None:
    receiver.answers = [500]
    name = _workflow(stack, FLOW)
    _run(stack, name, [{"type": "webhook", "url": f"{receiver.url}/flaky"}])
    tried = receiver.to("/flaky")
    assert tried[0].status == 500 and tried[0].body["event"] == "WORKFLOW_LAUNCHED"
    assert _events(receiver.delivered("/flaky")) == FLOW_EVENTS
    # the retry is the same notification: same id, same payload
    assert tried[1].headers["X-Sirocco-Notification-Id"] == tried[0].headers["X-Sirocco-Notification-Id"]
    assert tried[1].body == tried[0].body


def test_the_backoff_holds_the_group_back_and_it_comes_back_in_order(stack: Stack, receiver: Receiver,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """With a real backoff (the failed messages' visibility timeout, 1 s here), the
    failed notification and those behind it come back together and in order."""
    monkeypatch.setattr(stack, "settings", dataclasses.replace(stack.settings, backoff=1))
    receiver.answers = [500]
    name = _workflow(stack, FLOW)
    _run(stack, name, [{"type": "webhook", "url": f"{receiver.url}/later"}])
    assert [r.status for r in receiver.to("/later")][:2] == [500, 200]
    assert _events(receiver.delivered("/later")) == FLOW_EVENTS


def test_one_publisher_failing_holds_back_only_its_own_notifications(stack: Stack, receiver: Receiver) -> None:
    receiver.answers = [503, 503]  # the first two requests: whichever publisher's they are
    name = _workflow(stack, FLOW)
    _run(stack, name, [{"type": "webhook", "url": f"{receiver.url}/a"},
                       {"type": "webhook", "url": f"{receiver.url}/b"}])
    assert _events(receiver.delivered("/a")) == FLOW_EVENTS
    assert _events(receiver.delivered("/b")) == FLOW_EVENTS


def test_a_webhook_that_keeps_failing_is_given_up_into_the_dead_letter_queue(stack: Stack,
                                                                             receiver: Receiver) -> None:
    stack.dlq_messages()
    receiver.default = 500
    name = _workflow(stack, FAILING)
    header = _run(stack, name, [{"type": "webhook", "url": f"{receiver.url}/down",
                                 "event_types": ["WORKFLOW_FAILED"]}])
    assert header.state == "ERROR"
    assert [r.status for r in receiver.to("/down")] == [500] * stack.settings.attempts
    [dead] = stack.dlq_messages()
    attributes = dead["MessageAttributes"]
    assert "HTTP 500" in attributes["cause"]["StringValue"] and "refused with 500" in attributes["cause"]["StringValue"]
    assert attributes["attempts"]["StringValue"] == str(stack.settings.attempts)
    assert json.loads(dead["Body"])["fields"]["event"] == "WORKFLOW_FAILED"


def test_a_refusal_is_not_retried_and_the_group_goes_on(stack: Stack, receiver: Receiver) -> None:
    stack.dlq_messages()
    receiver.answers = [404]
    name = _workflow(stack, FLOW)
    _run(stack, name, [{"type": "webhook", "url": f"{receiver.url}/gone"}])
    assert [r.status for r in receiver.to("/gone")][:2] == [404, 200]
    assert _events(receiver.delivered("/gone")) == FLOW_EVENTS[1:]  # WORKFLOW_LAUNCHED was given up
    [dead] = stack.dlq_messages()
    assert "HTTP 404" in dead["MessageAttributes"]["cause"]["StringValue"]
    assert dead["MessageAttributes"]["attempts"]["StringValue"] == "1"


def test_event_types_choose_what_a_publisher_receives(stack: Stack, receiver: Receiver) -> None:
    name = _workflow(stack, FLOW)
    _run(stack, name, [{"type": "webhook", "url": f"{receiver.url}/ends",
                        "event_types": ["WORKFLOW_SUCCEEDED", "WORKFLOW_FAILED"]},
                       {"type": "webhook", "url": f"{receiver.url}/tasks", "event_types": ["TASK_SUCCEEDED"]}])
    assert _events(receiver.delivered("/ends")) == ["WORKFLOW_SUCCEEDED"]
    assert [(r.body["event"], r.body["name"]) for r in receiver.delivered("/tasks")] == \
        [("TASK_SUCCEEDED", "first"), ("TASK_SUCCEEDED", "second"), ("TASK_SUCCEEDED", "third")]


def test_loopback_is_refused_unless_allowed(stack: Stack, receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIROCCO_HTTP_DENIED_CIDRS")  # the service's default: no loopback, no link-local
    stack.dlq_messages()
    name = _workflow(stack, FLOW)
    _run(stack, name, [{"type": "webhook", "url": f"{receiver.url}/local", "event_types": ["WORKFLOW_SUCCEEDED"]}])
    assert receiver.to("/local") == []
    [dead] = stack.dlq_messages()
    assert "blocked address" in dead["MessageAttributes"]["cause"]["StringValue"]


def _lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]


def test_the_log_publisher_writes_one_json_line_per_notification(stack: Stack,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    name = _workflow(stack, FLOW)
    capsys.readouterr()
    header = _run(stack, name, [{"type": "log", "event_types": ["TASK_SUCCEEDED", "WORKFLOW_SUCCEEDED"],
                                 "fields": {"team": "ops"}}])
    lines = [line for line in _lines(capsys) if line["msg"] == "workflow notification"]
    assert [(line["event"], line["data"]["name"]) for line in lines] == [
        ("TASK_SUCCEEDED", "first"), ("TASK_SUCCEEDED", "second"), ("TASK_SUCCEEDED", "third"),
        ("WORKFLOW_SUCCEEDED", name)]
    last = lines[-1]
    assert last["execution_id"] == header.id and last["team"] == "ops" and last["level"] == "INFO"
    assert last["data"]["state"] == "SUCCESS" and last["data"]["workflow_id"]
    assert lines[0]["task_id"] == lines[0]["data"]["id"] and lines[0]["entity"] == "task"


def test_the_eventbridge_publisher_puts_events_that_rules_deliver(stack: Stack) -> None:
    """A rule on the bus for Sirocco's failures, with a queue as its target, as a user would
    wire an alert: the queue receives the event with Mistral's payload as its detail."""
    sqs = stack.rt.queues.client
    url = sqs.create_queue(QueueName=f"nt-watch-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    bridge = eventbridge.shared().client
    rule = f"watch-{uuid.uuid4().hex[:8]}"
    bridge.put_rule(Name=rule, EventBusName=stack.env["SIROCCO_EVENT_BUS"],
                    EventPattern=json.dumps({"source": ["sirocco"], "detail-type": ["WORKFLOW_FAILED"]}))
    bridge.put_targets(Rule=rule, EventBusName=stack.env["SIROCCO_EVENT_BUS"], Targets=[{"Id": "q", "Arn": arn}])
    ok, bad = _workflow(stack, FLOW), _workflow(stack, FAILING)
    _run(stack, ok, [{"type": "eventbridge"}])
    failed = _run(stack, bad, [{"type": "eventbridge"}])
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages") or []
    assert len(got) == 1
    event = json.loads(got[0]["Body"])
    assert (event["source"], event["detail-type"]) == ("sirocco", "WORKFLOW_FAILED")
    assert event["detail"]["id"] == failed.id and event["detail"]["state"] == "ERROR"
    assert event["detail"]["workflow_name"] == bad and event["detail"]["event"] == "WORKFLOW_FAILED"


def test_global_publishers_notify_every_execution(stack: Stack, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """SIROCCO_NOTIFY, as Mistral's [notifier] notify: added to each execution's params at start."""
    monkeypatch.setenv("SIROCCO_NOTIFY", json.dumps([{"type": "log", "event_types": ["WORKFLOW_SUCCEEDED"]}]))
    name = _workflow(stack, FLOW)
    capsys.readouterr()
    header = _run(stack, name)
    lines = [line for line in _lines(capsys) if line["msg"] == "workflow notification"]
    assert [(line["event"], line["execution_id"]) for line in lines] == [("WORKFLOW_SUCCEEDED", header.id)]
    _, shown = executions.get(stack.rt, header.id)
    assert json.loads(shown["params"])["notify"] == [{"type": "log", "event_types": ["WORKFLOW_SUCCEEDED"]}]
