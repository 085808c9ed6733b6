"""Envelopes, routing and the SQS sender (small, mostly without the emulator)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from sirocco.engine import commands as C
from sirocco.engine import events as E
from sirocco.messaging import QueueSettings, Queues, envelopes
from sirocco.messaging import lambda_events as le
from sirocco.messaging.envelopes import EnvelopeError
from sirocco.messaging.queues import OutMessage
from sirocco.messaging.routing import RouteContext, call_delay, route
from sirocco.persistence import records_codec


def _sample(cls: type) -> object:
    values = {}
    for f in dataclasses.fields(cls):
        if f.name in ("id", "execution_id"):
            values[f.name] = "x-1"
        elif f.name == "time":
            values[f.name] = 1.5
    return cls(**values)


def test_every_event_and_command_type_round_trips():
    types = envelopes.message_types()
    assert {"StartExecution", "ActionCompleted", "CallFired", "Pause", "RunAction", "Notify",
            "ScheduleCall", "ExecutionFinished"} <= set(types)
    for cls in types.values():
        obj = _sample(cls)
        assert envelopes.decode(envelopes.encode(obj)).obj == obj


def test_values_json_would_lose_survive():
    note = C.Notify("e", event="TASK_SUCCEEDED", data={"k": (1, 2), "m": {1: "a"}},
                    publishers=({"type": "webhook", "url": "u"},))
    env = envelopes.decode(envelopes.encode(note, {"project_id": "p"}, to="e"))
    assert env.obj == note and env.meta == {"project_id": "p"} and env.to == "e"
    tricky = E.ActionCompleted("i", 1.0, action_id="a", result={"__tuple__": [1]})
    assert envelopes.decode(envelopes.encode(tricky)).obj == tricky


@pytest.mark.parametrize("body", ["not json", "[1]", '{"v": 2, "type": "Pause", "fields": {}}',
                                  '{"v": 1, "type": "Nope", "fields": {}}', '{"v": 1, "fields": {}}',
                                  '{"v": 1, "type": "Pause", "fields": {"id": "i", "time": 1, "bogus": 1}, "to": 5}'])
def test_bad_bodies_are_refused(body):
    with pytest.raises(EnvelopeError):
        envelopes.decode(body)


def test_an_unknown_type_can_be_read_loosely():
    env = envelopes.decode('{"v": 1, "type": "FutureCommand", "fields": {"a": 1}}', strict=False)
    assert env.obj is None and env.type == "FutureCommand" and env.fields == {"a": 1}


def _context(**kw) -> RouteContext:
    return RouteContext("parent", 7, QueueSettings(), 1000.0, {"project_id": "p", "namespace": "ns",
                                                               "workflow_id": "w"}, "wf", **kw)


def test_routing_of_every_command():
    commands = [
        C.RunAction("parent", action_id="t.1.0", task_id="t", name="std.noop"),
        C.RunAction("parent", action_id="t.1.1", task_id="t", name="std.noop", target="gpu box"),
        C.StartSubworkflow("parent", child_id="child", task_id="t", workflow="sub", root_execution_id="root"),
        C.SignalSubworkflow("parent", child_id="child", signal="pause", seq=3),
        C.ExecutionStateChanged("parent", state="PAUSED", seq=1, parent_execution_id="grand"),
        C.ExecutionFinished("parent", state="SUCCESS", output={"a": 1}, parent_execution_id="grand"),
        C.ExecutionFinished("parent", state="SUCCESS"),  # no parent: nothing
        C.ScheduleCall("parent", call_id="c", due=1000.0 + 5000, kind="retry"),
        C.CancelCall("parent", call_id="c"),
        C.Notify("parent", event="WORKFLOW_SUCCEEDED", data={"id": "parent"}),
    ]
    encoded = records_codec.encode_commands(commands) + [{"type": "FutureCommand", "fields": {"x": 1}}]
    routed = route(encoded, _context())
    q = QueueSettings()
    assert sorted(routed.messages) == sorted([q.engine_queue, q.executor_queue, "sirocco-executor-gpu-box",
                                              q.timer_queue, q.notifier_queue])
    engine = [envelopes.decode(m.body) for m in routed.messages[q.engine_queue]]
    kinds = [(type(e.obj).__name__, e.to) for e in engine]
    assert kinds == [("StartExecution", "child"), ("Pause", "child"), ("SubworkflowStateChanged", "grand"),
                     ("SubworkflowCompleted", "grand")]
    assert [m.group_id for m in routed.messages[q.engine_queue]] == ["child", "child", "grand", "grand"]
    start = engine[0]
    assert start.obj.parent_execution_id == "parent" and start.obj.parent_action_id == "child"
    assert start.meta == {"project_id": "p", "namespace": "ns", "description": "sub-workflow execution"}
    assert engine[1].obj.signal == 3
    assert routed.messages[q.timer_queue][0].delay == 900
    notify = envelopes.decode(routed.messages[q.notifier_queue][0].body)
    assert notify.meta == {"workflow_id": "w", "project_id": "p"}
    assert routed.unrouted == [("FutureCommand", {"x": 1})]
    # the same save routed again (an outbox resent) makes the same event ids
    again = route(encoded, _context())
    assert [m.dedup_id for m in again.messages[q.engine_queue]] == \
        [m.dedup_id for m in routed.messages[q.engine_queue]]
    assert len({m.dedup_id for m in routed.messages[q.engine_queue]}) == 4


def test_call_delays():
    assert call_delay(100.0, 100.0, 900) == 0
    assert call_delay(100.2, 100.0, 900) == 1
    assert call_delay(5000.0, 100.0, 900) == 900
    assert call_delay(50.0, 100.0, 900) == 0


def test_batches_respect_the_entry_and_size_limits():
    entries = [{"MessageBody": "x" * 30_000} for _ in range(25)]
    chunks = list(Queues._chunks(entries))
    assert all(len(c) <= 10 and sum(len(e["MessageBody"]) for e in c) <= 256 * 1024 for c in chunks)
    assert sum(len(c) for c in chunks) == 25


def test_large_bodies_go_through_s3(rt):
    queues = Queues(dataclasses.replace(rt.queue_settings, message_limit=1000), client=rt.queues.client,
                    payloads=rt.payloads)
    event = E.ActionCompleted("big", 1.0, action_id="a", result="z" * 5000)
    queues.send(rt.queue_settings.executor_queue, [OutMessage(envelopes.encode(event))])
    url = queues.url(rt.queue_settings.executor_queue)
    got = queues.client.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"][0]
    queues.client.delete_message(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"])
    assert len(got["Body"]) < 200 and json.loads(got["Body"])["s3"].startswith("messages/")
    assert queues.read(got["Body"]).obj == event and queues.offloaded == 1


def test_the_lambda_event_shape():
    message = {"MessageId": "m", "ReceiptHandle": "r", "Body": "b", "MD5OfBody": "5",
               "Attributes": {"MessageGroupId": "g", "ApproximateReceiveCount": "3"},
               "MessageAttributes": {"k": {"StringValue": "v", "DataType": "String"}}}
    event = le.sqs_event([message], "arn:aws:sqs:us-east-1:1:q")
    record = event["Records"][0]
    assert record["messageId"] == "m" and record["eventSource"] == "aws:sqs" and record["body"] == "b"
    assert record["messageAttributes"]["k"]["stringValue"] == "v"
    assert le.group_id(record) == "g" and le.receive_count(record) == 3
    assert le.batch_response(["m"]) == {"batchItemFailures": [{"itemIdentifier": "m"}]}
