"""The local runtime of `sirocco dev` in this process, with a stand-in Chalice
app: resources made from the template, routes served over HTTP, SQS batches
delivered in Lambda's event shape with partial batch failures, FIFO order,
dead-letter queues, schedules fired, and a clean stop."""

from __future__ import annotations

import hashlib
import json
import threading
import time
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import boto3
import pytest
from botocore.exceptions import ClientError

from sirocco.local.dev import DevOptions, DevStack
from sirocco.local.devpollers import MotoTransport, QueuePoller, QueueRef
from sirocco.local.devresources import Clients, verify

from .ports import port_free
from .standin import Recorder, make_app


@pytest.fixture(scope="module")
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture(scope="module")
def stack(recorder: Recorder, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    prefix = f"t{uuid.uuid4().hex[:6]}"
    app_dir = tmp_path_factory.mktemp("standin")  # no .chalice/config.json
    dev = DevStack(DevOptions(port=0, prefix=prefix, app_dir=str(app_dir)), app=make_app(prefix, recorder))
    dev.start()
    try:
        yield dev
    finally:
        dev.stop()


def _client(stack: DevStack, service: str) -> Any:
    return boto3.client(service, endpoint_url=stack.endpoint_url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def _url(stack: DevStack, name: str) -> str:
    return _client(stack, "sqs").get_queue_url(QueueName=name)["QueueUrl"]


def test_resources_are_the_templates(stack: DevStack) -> None:
    assert stack.problems == []
    assert stack.plan is not None
    assert verify(stack.plan, Clients.create(region="us-east-1", endpoint_url=stack.endpoint_url)) == []
    tables = _client(stack, "dynamodb").list_tables()["TableNames"]
    assert {t.name for t in stack.plan.tables} <= set(tables)
    assert len(stack.pollers) == 4
    assert stack.startup_seconds is not None and stack.startup_seconds < 5


def test_routes_are_served_over_http(stack: DevStack) -> None:
    with urllib.request.urlopen(f"{stack.api_url}/v2/ping", timeout=10) as response:
        assert json.loads(response.read()) == {"pong": True}
    request = urllib.request.Request(f"{stack.api_url}/v2/echo", data=b'{"a": 1}', method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.loads(response.read()) == {"got": {"a": 1}}


def test_a_record_has_lambdas_shape(stack: DevStack, recorder: Recorder) -> None:
    assert stack.plan is not None
    queue = f"{stack.plan.prefix}-executor"
    sqs = _client(stack, "sqs")
    body = json.dumps({"shape": uuid.uuid4().hex})
    sqs.send_message(QueueUrl=_url(stack, queue), MessageBody=body,
                     MessageAttributes={"kind": {"DataType": "String", "StringValue": "test"}})
    assert recorder.wait_for(lambda: any(r["body"] == body for e in recorder.events["executor"]
                                         for r in e["Records"]))
    record = next(r for r in recorder.records("executor") if r["body"] == body)
    assert set(record) == {"messageId", "receiptHandle", "body", "attributes", "messageAttributes",
                           "md5OfBody", "md5OfMessageAttributes", "eventSource", "eventSourceARN", "awsRegion"}
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == f"arn:aws:sqs:us-east-1:123456789012:{queue}"
    assert record["awsRegion"] == "us-east-1"
    assert record["md5OfBody"] == hashlib.md5(body.encode()).hexdigest()  # noqa: S324 - SQS's checksum
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert {"SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"} <= set(record["attributes"])
    assert record["messageAttributes"] == {"kind": {"stringValue": "test", "stringListValues": [],
                                                    "binaryListValues": [], "dataType": "String"}}


def test_fifo_groups_keep_their_order(stack: DevStack, recorder: Recorder) -> None:
    assert stack.plan is not None
    sqs = _client(stack, "sqs")
    url = _url(stack, f"{stack.plan.prefix}-engine.fifo")
    tag = uuid.uuid4().hex[:6]
    sent = []
    for i in range(25):
        for group in ("a", "b"):
            sent.append((group, f"{tag}-{group}-{i}"))
    for start in range(0, len(sent), 10):
        sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": str(n), "MessageBody": body, "MessageGroupId": f"{tag}-{group}", "MessageDeduplicationId": body}
            for n, (group, body) in enumerate(sent[start:start + 10])])
    assert recorder.wait_for(lambda: sum(r["body"].startswith(tag) for e in recorder.events["engine"]
                                         for r in e["Records"]) >= 50)
    mine = [e for e in recorder.events["engine"] if e["Records"][0]["body"].startswith(tag)]
    for event in mine:
        assert len(event["Records"]) <= 10
        assert len({r["attributes"]["MessageGroupId"] for r in event["Records"]}) == 1
        for record in event["Records"]:
            assert {"MessageGroupId", "MessageDeduplicationId", "SequenceNumber"} <= set(record["attributes"])
    for group in ("a", "b"):
        order = [r["body"] for e in mine for r in e["Records"] if r["attributes"]["MessageGroupId"] == f"{tag}-{group}"]
        assert order == [f"{tag}-{group}-{i}" for i in range(25)]


def _queue(stack: DevStack, name: str, visibility: int = 1, **attributes: str) -> QueueRef:
    sqs = _client(stack, "sqs")
    url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": str(visibility),
                                                       **attributes})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return QueueRef(name=name, url=url, arn=arn, fifo=name.endswith(".fifo"), visibility_timeout=visibility)


def _poller(stack: DevStack, queue: QueueRef, handler: Any, transport: Any = None, **options: Any) -> QueuePoller:
    return QueuePoller(queue, handler, transport or MotoTransport("123456789012", "us-east-1"),
                       function_name="test", batch_size=10, concurrency=2, **options).start()


def _drained(stack: DevStack, queue: QueueRef, timeout: float = 10.0) -> bool:
    sqs = _client(stack, "sqs")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        attributes = sqs.get_queue_attributes(QueueUrl=queue.url, AttributeNames=["All"])["Attributes"]
        if attributes["ApproximateNumberOfMessages"] == "0" and attributes["ApproximateNumberOfMessagesNotVisible"] == "0":
            return True
        time.sleep(0.3)
    return False


def test_only_the_failed_messages_are_retried(stack: DevStack) -> None:
    queue = _queue(stack, f"partial-{uuid.uuid4().hex[:6]}")
    recorder = Recorder()
    recorder.fail_once = {"m2"}
    poller = _poller(stack, queue, lambda event, context: recorder.handle("executor", event))
    try:
        _client(stack, "sqs").send_message_batch(QueueUrl=queue.url, Entries=[
            {"Id": str(i), "MessageBody": f"m{i}"} for i in range(5)])
        assert recorder.wait_for(lambda: sum(r["body"] == "m2" for e in recorder.events["executor"]
                                             for r in e["Records"]) == 2, timeout=10)
        bodies = [r["body"] for r in recorder.records("executor")]
        assert sorted(bodies) == ["m0", "m1", "m2", "m2", "m3", "m4"]
        retry = [r for r in recorder.records("executor") if r["body"] == "m2"][1]
        assert retry["attributes"]["ApproximateReceiveCount"] == "2"
        assert _drained(stack, queue)
    finally:
        poller.stop()
    assert poller.stats.failed_messages == 1 and poller.stats.messages == 6


@pytest.mark.parametrize("fifo", [False, True])
def test_retry_delay_brings_failures_back_before_the_visibility_timeout(stack: DevStack, fifo: bool) -> None:
    name = f"delay-{uuid.uuid4().hex[:6]}" + (".fifo" if fifo else "")
    queue = _queue(stack, name, visibility=300, **({"FifoQueue": "true"} if fifo else {}))
    recorder = Recorder()
    recorder.fail_once = {"d1"}
    poller = _poller(stack, queue, lambda event, context: recorder.handle("executor", event), retry_delay=1)
    try:
        group = {"MessageGroupId": "g"} if fifo else {}
        _client(stack, "sqs").send_message_batch(QueueUrl=queue.url, Entries=[
            {"Id": str(i), "MessageBody": f"d{i}", **group, **({"MessageDeduplicationId": f"d{i}"} if fifo else {})}
            for i in range(3)])
        began = time.monotonic()
        assert recorder.wait_for(lambda: sum(r["body"] == "d1" for e in recorder.events["executor"]
                                             for r in e["Records"]) == 2, timeout=10)
        assert time.monotonic() - began < 5
        bodies = [r["body"] for r in recorder.records("executor")]
        assert sorted(bodies) == ["d0", "d1", "d1", "d2"]
        if fifo:  # one batch in order (the handler let d2 pass), then d1 again
            assert bodies == ["d0", "d1", "d2", "d1"]
        assert _drained(stack, queue)
    finally:
        poller.stop()


def test_a_handler_that_raises_gets_the_whole_batch_again(stack: DevStack) -> None:
    queue = _queue(stack, f"crash-{uuid.uuid4().hex[:6]}")
    calls: list[list[str]] = []

    def handler(event: dict[str, Any], context: Any) -> None:
        calls.append([r["body"] for r in event["Records"]])
        if len(calls) == 1:
            raise RuntimeError("first call crashes")

    poller = _poller(stack, queue, handler)
    try:
        _client(stack, "sqs").send_message_batch(QueueUrl=queue.url, Entries=[
            {"Id": str(i), "MessageBody": f"c{i}"} for i in range(3)])
        deadline = time.monotonic() + 10
        while sum(len(c) for c in calls) < 6 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert sorted(b for c in calls for b in c) == ["c0", "c0", "c1", "c1", "c2", "c2"]
        assert _drained(stack, queue)
    finally:
        poller.stop()
    assert poller.stats.failed_invocations == 1


def test_a_poison_message_ends_in_the_dead_letter_queue(stack: DevStack) -> None:
    sqs = _client(stack, "sqs")
    dlq = _queue(stack, f"dlq-{uuid.uuid4().hex[:6]}")
    queue = _queue(stack, f"poison-{uuid.uuid4().hex[:6]}",
                   RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq.arn, "maxReceiveCount": 2}))
    recorder = Recorder()
    recorder.fail_always = {"poison"}
    poller = _poller(stack, queue, lambda event, context: recorder.handle("executor", event))
    try:
        sqs.send_message(QueueUrl=queue.url, MessageBody="poison")
        sqs.send_message(QueueUrl=queue.url, MessageBody="fine")
        deadline = time.monotonic() + 15
        moved: list[dict[str, Any]] = []
        while not moved and time.monotonic() < deadline:
            moved = sqs.receive_message(QueueUrl=dlq.url, WaitTimeSeconds=1).get("Messages", [])
        assert [m["Body"] for m in moved] == ["poison"]
        assert [r["body"] for r in recorder.records("executor")].count("poison") == 2
        assert [r["body"] for r in recorder.records("executor")].count("fine") == 1
    finally:
        poller.stop()


def test_a_due_schedule_is_delivered_to_its_queue(stack: DevStack, recorder: Recorder) -> None:
    assert stack.plan is not None
    scheduler = _client(stack, "scheduler")
    group = stack.plan.schedule_groups[0].name
    timer = f"arn:aws:sqs:us-east-1:123456789012:{stack.plan.prefix}-timer"
    body = json.dumps({"fire": uuid.uuid4().hex})
    due = (datetime.now(timezone.utc) + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S")
    scheduler.create_schedule(
        Name="soon", GroupName=group, ScheduleExpression=f"at({due})", FlexibleTimeWindow={"Mode": "OFF"},
        ActionAfterCompletion="DELETE",
        Target={"Arn": timer, "RoleArn": "arn:aws:iam::123456789012:role/x", "Input": body})
    assert recorder.wait_for(lambda: any(r["body"] == body for e in recorder.events["timer"]
                                         for r in e["Records"]), timeout=10)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            scheduler.get_schedule(Name="soon", GroupName=group)
        except ClientError:
            break
        time.sleep(0.2)
    else:
        pytest.fail("the fired one-time schedule was not deleted")
    assert stack.scheduler is not None and stack.scheduler.fired >= 1


def test_stop_joins_every_thread_and_frees_the_ports(tmp_path: Path) -> None:
    prefix = f"s{uuid.uuid4().hex[:6]}"
    before = {t.ident for t in threading.enumerate()}
    dev = DevStack(DevOptions(port=0, prefix=prefix, app_dir=str(tmp_path)), app=make_app(prefix, Recorder()))
    dev.start()
    assert dev.startup_seconds is not None and dev.startup_seconds < 5
    api_port = int(dev.api_url.rsplit(":", 1)[1])
    emulator_port = int(dev.endpoint_url.rsplit(":", 1)[1])
    pollers = list(dev.pollers)
    began = time.monotonic()
    dev.stop()
    assert time.monotonic() - began < 3
    assert all(p.threads_alive == 0 for p in pollers)
    assert port_free(api_port) and port_free(emulator_port)
    leftovers = [t for t in threading.enumerate() if t.ident not in before and t.is_alive()
                 and not t.name.startswith("Thread-")]  # request threads of the HTTP servers end by themselves
    assert leftovers == []


@pytest.fixture()
def other_endpoint() -> Iterator[str]:
    """A second moto server standing in for LocalStack (not the session's
    aws_endpoint fixture: that one's environment must outlive this module)."""
    from sirocco.local.devemulator import Emulator

    emulator = Emulator(in_process=False)  # as LocalStack: this process's clients use HTTP
    try:
        yield emulator.start()
    finally:
        emulator.stop()


def test_another_endpoint_gets_the_resources_and_sqs_over_http(other_endpoint: str, tmp_path: Path) -> None:
    """--endpoint: an AWS-compatible endpoint that is not ours: resources created
    if missing, messages received with SQS's API over HTTP, in the same event shape."""
    from sirocco.local.devpollers import Boto3Transport

    aws_endpoint = other_endpoint
    prefix = f"e{uuid.uuid4().hex[:6]}"
    recorder = Recorder()
    options = DevOptions(port=0, prefix=prefix, endpoint=aws_endpoint, app_dir=str(tmp_path))
    dev = DevStack(options, app=make_app(prefix, recorder))
    dev.start()
    try:
        assert dev.endpoint_url == aws_endpoint and dev.problems == []
        assert dev.provisioned is not None and f"{prefix}-engine.fifo" in dev.provisioned.created
        assert all(isinstance(p.transport, Boto3Transport) for p in dev.pollers)
        sqs = _client(dev, "sqs")
        url = sqs.get_queue_url(QueueName=f"{prefix}-engine.fifo")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="over-http", MessageGroupId="g1", MessageDeduplicationId="d1",
                         MessageAttributes={"bin": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}})
        assert recorder.wait_for(lambda: bool(recorder.events["engine"]), timeout=10)
        record = recorder.records("engine")[0]
        assert record["body"] == "over-http"
        assert record["eventSourceARN"] == f"arn:aws:sqs:us-east-1:123456789012:{prefix}-engine.fifo"
        assert record["attributes"]["MessageGroupId"] == "g1"
        assert record["attributes"]["ApproximateReceiveCount"] == "1"
        assert record["messageAttributes"]["bin"]["binaryValue"] == "AAE="  # base64, as Lambda gives it
        assert _drained(dev, QueueRef(f"{prefix}-engine.fifo", url, "", True, 360))
    finally:
        dev.stop()
    again = DevStack(options, app=make_app(prefix, Recorder()))
    again.start()
    try:
        assert again.provisioned is not None and again.provisioned.created == []
    finally:
        again.stop()
