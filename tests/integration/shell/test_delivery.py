"""Delivery semantics: duplicates change nothing, a crash between save and
send is recovered by redelivery (the outbox is resent), a poisoned message
fails alone, delayed calls, sub-workflows, targets and notifications travel
through their queues."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections import Counter
from typing import Any

import pytest

import app as sirocco_app
from sirocco.engine import ActionCompleted, RunAction, ScheduleCall, StartExecution
from sirocco.handlers import timer
from sirocco.messaging import envelopes
from sirocco.messaging import lambda_events as le
from sirocco.persistence import claims

from .delivery import Delivery
from .helpers import start, upload

RELIABLE = """
version: '2.0'
rel_{n}:
  input: [names]
  output:
    final: <% $.final %>
  tasks:
    fan:
      with-items: name in <% $.names %>
      action: std.echo output=<% $.name %>
      publish: {{greeted: <% task().result %>}}
      on-success: [left, right, sub]
    left:
      action: std.echo output="left"
      wait-before: 1
      publish: {{l: <% task().result %>}}
      on-success: [join]
    right:
      action: test.flaky label="right"
      retry: {{count: 2, delay: 1}}
      publish: {{r: <% task().result %>}}
      on-success: [join]
    sub:
      workflow: child_{n}
      input: {{x: 21}}
      publish: {{s: <% task().result.doubled %>}}
      on-success: [join]
    join:
      join: all
      action: std.echo output=<% [$.greeted, $.l, $.r, $.s] %>
      publish: {{final: <% task().result %>}}
child_{n}:
  input: [x]
  output: {{doubled: <% $.x * 2 %>}}
  tasks:
    noop:
      action: std.noop
"""

FINAL = [["a", "b", "c"], "left", "flaky right ok", 42]


def _uploaded(client: Any) -> str:
    n = uuid.uuid4().hex[:8]
    upload(client, RELIABLE.format(n=n))
    return f"rel_{n}"


def snapshot(rt: Any, execution_id: str) -> dict[str, Any]:
    """What a run left in DynamoDB, without ids and times."""
    header, meta = rt.executions.get_execution(execution_id)
    tasks = sorted((t.name, t.state, json.dumps(t.published, sort_keys=True), t.runs)
                   for t in rt.executions.list_tasks(execution_id))
    actions = Counter((a.name.split("_")[0], a.state) for a in rt.executions.list_actions(execution_id))
    children = {}
    for child_id in [a.id for a in rt.executions.list_actions(execution_id) if a.is_workflow]:
        children["child"] = snapshot(rt, child_id)
    return {"state": header.state, "output": header.output, "tasks": tasks, "actions": sorted(actions.items()),
            "children": children, "workflow_id": bool(meta.get("workflow_id"))}


def _run(client: Any, rt: Any, delivery: Delivery) -> tuple[str, dict[str, Any]]:
    ex = start(client, _uploaded(client), {"names": ["a", "b", "c"]})
    header = delivery.run_execution(ex["id"])
    assert header.state == "SUCCESS", header.state_info
    assert header.output == {"final": FINAL}
    return ex["id"], snapshot(rt, ex["id"])


@pytest.fixture(scope="module")
def baseline(client, runtime) -> dict[str, Any]:
    """One fault-free run: retry and wait-before through the timer queue, a sub-workflow, a join."""
    d = Delivery(runtime)
    _, snap = _run(client, runtime, d)
    assert snap["children"]["child"]["state"] == "SUCCESS"
    assert d.messages["timer"] >= 2  # wait-before and the retry delay
    return snap


@pytest.fixture(params=[0, 250], ids=["executor", "inline"])
def either(rt: Any, request: Any) -> Any:
    """The runtime sending every action to the executor queue, or running std.echo and
    std.noop in the engine's own batches (inline.py): the same faults, the same outcome."""
    rt.inline_actions = request.param
    yield rt
    rt.inline_actions = 0


def test_duplicate_delivery_of_every_message_changes_nothing(client, either, baseline):
    d = Delivery(either, duplicate=True)
    eid, snap = _run(client, either, d)
    assert snap == baseline
    assert sum(d.failures.values()) == 0
    assert either.executions.pending_outbox(eid) is None


@pytest.mark.parametrize("point", ["engine.saved", "engine.sent"])
def test_a_crash_between_save_and_send_is_recovered_by_redelivery(client, either, baseline, point):
    """Every other engine batch dies right after its save (or after sending,
    before marking sent); SQS redelivers the batch and the outbox is resent."""
    seen: Counter[str] = Counter()

    def crash(step: str) -> None:
        seen[step] += 1
        if step == point and seen[step] % 2 == 1:
            raise RuntimeError(f"injected crash at {step}")

    either.checkpoint = crash
    d = Delivery(either)
    eid, snap = _run(client, either, d)
    either.checkpoint = None
    assert snap == baseline
    batches = 2 if either.inline_actions else 5  # inline runs need fewer engine batches
    assert d.failures["engine"] >= batches  # the crashed batches were reported failed and redelivered
    if point == "engine.saved":
        assert seen["engine.resent"] >= batches  # ... and their commands were sent from the outbox
    assert either.executions.pending_outbox(eid) is None


def test_inline_actions_leave_what_the_executor_leaves_in_fewer_messages(client, rt, baseline):
    plain = Delivery(rt)
    _run(client, rt, plain)
    rt.inline_actions = 250
    try:
        d = Delivery(rt)
        _, snap = _run(client, rt, d)
    finally:
        rt.inline_actions = 0
    assert snap == baseline  # the same tasks, publishes, action executions and states
    assert d.messages["executor"] < plain.messages["executor"]  # only test.flaky left the engine
    assert d.messages["engine"] < plain.messages["engine"]


def _record(body: str, group: str | None = None, message_id: str | None = None) -> dict[str, Any]:
    attributes = {"ApproximateReceiveCount": "1"}
    if group:
        attributes["MessageGroupId"] = group
    return {"messageId": message_id or str(uuid.uuid4()), "receiptHandle": "r", "body": body,
            "attributes": attributes, "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:q", "awsRegion": "us-east-1"}


def _start_record(workflow: str, eid: str) -> dict[str, Any]:
    event = StartExecution(f"start-{eid}", 1_700_000_000.0, workflow=workflow, input={"names": ["a"]},
                           params={"namespace": "", "env": {}})
    return _record(envelopes.encode(event, {"namespace": ""}, to=eid), eid)


def test_a_poisoned_engine_message_fails_alone(client, rt, delivery):
    workflow = _uploaded(client)
    a, c = str(uuid.uuid4()), str(uuid.uuid4())
    poison = [_record("not json at all", a), _record(json.dumps({"v": 99, "type": "Pause", "fields": {}}), c),
              _record(json.dumps({"v": 1, "type": "NoSuchEvent", "fields": {}}), c)]
    event = {"Records": [_start_record(workflow, a), poison[0], _start_record(workflow, c), *poison[1:]]}
    response = sirocco_app.HANDLERS["engine"](event, None)
    assert le.failed_ids(response) == {r["messageId"] for r in poison}
    for eid in (a, c):
        header, meta = rt.executions.get_execution(eid)
        assert header.state == "RUNNING" and meta["workflow_id"]
    delivery.run_execution(a)
    delivery.run_execution(c)


def test_a_failing_execution_fails_only_its_own_messages(client, rt, delivery, monkeypatch):
    workflow = _uploaded(client)
    good, bad = str(uuid.uuid4()), str(uuid.uuid4())
    save = rt.executions.save

    def failing_save(execution_id, *args, **kwargs):
        if execution_id == bad:
            raise RuntimeError("DynamoDB is having a bad day")
        return save(execution_id, *args, **kwargs)

    monkeypatch.setattr(rt.executions, "save", failing_save)
    records = [_start_record(workflow, good), _start_record(workflow, bad)]
    response = sirocco_app.HANDLERS["engine"]({"Records": records}, None)
    assert le.failed_ids(response) == {records[1]["messageId"]}
    assert rt.executions.get_execution(good) is not None and rt.executions.get_execution(bad) is None
    monkeypatch.undo()
    assert le.failed_ids(sirocco_app.HANDLERS["engine"]({"Records": [records[1]]}, None)) == set()
    delivery.run_execution(good)
    delivery.run_execution(bad)


def test_events_for_an_unknown_execution_are_dropped(rt):
    eid = str(uuid.uuid4())
    body = envelopes.encode(ActionCompleted("x", 1.0, action_id="t.1.0", result=1), to=eid)
    assert le.failed_ids(sirocco_app.HANDLERS["engine"]({"Records": [_record(body, eid)]}, None)) == set()
    assert rt.executions.get_execution(eid) is None


def _take_engine_messages(rt: Any) -> list[dict[str, Any]]:
    """Receive and delete what the engine queue holds."""
    url = rt.queues.url(rt.queue_settings.engine_queue)
    got = rt.queues.client.receive_message(QueueUrl=url, MaxNumberOfMessages=10, **le.RECEIVE_ARGS).get(
        "Messages") or []
    for m in got:
        rt.queues.client.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return got


def test_a_poisoned_executor_message_fails_alone(rt, delivery):
    eid = str(uuid.uuid4())
    aid = f"{uuid.uuid4()}.1.0"
    good = _record(envelopes.encode(RunAction(eid, action_id=aid, task_id="t", name="std.echo",
                                              input={"output": 7})))
    poison = _record('{"v": 1, "type": "RunAction", "fields": {"nope": 1}}')
    response = sirocco_app.HANDLERS["executor"]({"Records": [good, poison]}, None)
    assert le.failed_ids(response) == {poison["messageId"]}
    got = _take_engine_messages(rt)
    assert len(got) == 1 and got[0]["Attributes"]["MessageGroupId"] == eid
    done = rt.queues.read(got[0]["Body"]).obj
    assert isinstance(done, ActionCompleted) and done.result == 7 and done.action_id == aid
    assert got[0]["Attributes"]["MessageDeduplicationId"] == done.id
    # the same command again: the same event id (SQS drops it for 5 minutes; moto only
    # while the first is still queued), and the engine ignores a result it already has
    sirocco_app.HANDLERS["executor"]({"Records": [good]}, None)
    again = _take_engine_messages(rt)
    assert [rt.queues.read(m["Body"]).obj.id for m in again] in ([], [done.id])
    delivery.drain()


def test_an_action_not_safe_to_rerun_is_not_run_again_after_a_lost_delivery(rt, delivery):
    eid = str(uuid.uuid4())
    t, u = f"{uuid.uuid4()}.1.0", f"{uuid.uuid4()}.1.0"
    record = _record(envelopes.encode(RunAction(eid, action_id=t, task_id="t", name="std.echo",
                                                input={"output": 7}, safe_rerun=False)))
    # the first delivery claimed the run, then its worker died (the executor claims before running)
    claims.claim(rt.executions, eid, t, token="lost worker", message_id=record["messageId"], receives=1, now=1.0)
    record["attributes"]["ApproximateReceiveCount"] = "2"
    safe = _record(envelopes.encode(RunAction(eid, action_id=u, task_id="u", name="std.echo",
                                              input={"output": 8}, safe_rerun=True)))
    safe["attributes"]["ApproximateReceiveCount"] = "2"
    assert le.failed_ids(sirocco_app.HANDLERS["executor"]({"Records": [record, safe]}, None)) == set()
    got = _take_engine_messages(rt)
    results = {e.action_id: e for e in (rt.queues.read(m["Body"]).obj for m in got)}
    assert results[t].failed and "not safe to rerun" in results[t].error
    assert results[u].result == 8
    delivery.drain()


def test_a_call_due_later_than_sqs_can_delay_hops_through_the_timer_queue(rt, monkeypatch):
    now = 1_700_000_000.0
    sent: list[tuple[str, Any]] = []
    monkeypatch.setattr(rt.queues, "send", lambda queue, messages: sent.extend((queue, m) for m in messages))
    later = dataclasses.replace(rt, clock=lambda: now)
    cmd = ScheduleCall("e1", call_id="c1", due=now + 2000, kind="retry")
    assert timer.handle({"Records": [_record(envelopes.encode(cmd))]}, None, later) == {"batchItemFailures": []}
    [(queue, message)] = sent
    assert queue == rt.queue_settings.timer_queue and message.delay == 900  # again, 900 s at most
    assert envelopes.decode(message.body).obj == cmd
    sent.clear()
    due = dataclasses.replace(rt, clock=lambda: now + 1999.5)  # less than a second early: fires
    assert timer.handle({"Records": [_record(message.body)]}, None, due) == {"batchItemFailures": []}
    [(queue, message)] = sent
    fired = envelopes.decode(message.body)
    assert queue == rt.queue_settings.engine_queue and message.group_id == "e1"
    assert fired.obj.call_id == "c1" and message.dedup_id == fired.obj.id


TARGETED = """
version: '2.0'
targeted_{n}:
  tasks:
    there:
      action: std.echo output="special"
      target: special
      on-success: [nowhere]
    nowhere:
      action: std.echo output="fallback"
      target: no-such-executor
"""


def test_a_task_target_selects_its_executor_queue(client, rt, delivery):
    n = uuid.uuid4().hex[:8]
    upload(client, TARGETED.format(n=n))
    ex = start(client, f"targeted_{n}")
    header = delivery.run_execution(ex["id"])
    assert header.state == "SUCCESS"
    assert delivery.messages["executor-special"] == 1  # 'special' has its queue
    assert delivery.messages["executor"] == 1  # no queue for the other target: the default one


NOTIFIED = """
version: '2.0'
notified_{n}:
  tasks:
    one:
      action: std.noop
"""


def test_notifications_reach_the_notifier(client, rt, delivery, capsys):
    n = uuid.uuid4().hex[:8]
    created = upload(client, NOTIFIED.format(n=n))
    notify = [{"type": "webhook", "url": "http://127.0.0.1:9/hook", "event_types": ["WORKFLOW_SUCCEEDED"]}]
    ex = start(client, f"notified_{n}", params={"notify": notify})
    capsys.readouterr()
    delivery.run_execution(ex["id"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    sent = [line for line in lines if line["msg"] == "notification"]
    assert [line["event"] for line in sent] == ["WORKFLOW_SUCCEEDED"]
    data = sent[0]["data"]
    assert data["id"] == ex["id"] and data["workflow_id"] == created["workflows"][0]["id"]
    assert data["project_id"] == "<default-project>" and sent[0]["publishers"][0]["url"].endswith("/hook")
    # handler lines carry the ids
    engine_lines = [line for line in lines if line["msg"] == "engine batch"]
    assert engine_lines and all(line["execution_id"] == ex["id"] for line in engine_lines)
    assert any(line["msg"] == "action ran" and line["task_id"] and line["action_id"] for line in lines)
