"""Lambda's rules for SQS batches, on a fake queue (no emulator, no clock):
batch sizes, partial batch responses and what makes a response invalid, one
batch per FIFO group at a time, retry delays; and the scheduler loop's reading
of EventBridge Scheduler expressions."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from sirocco.local.devpollers import QueuePoller, QueueRef, _failures
from sirocco.local.devscheduler import SchedulerLoop, at_time, rate_seconds


class FakeTransport:
    """A queue in memory: records handed out once, deletes and visibility changes noted."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.pending = list(records)
        self.deleted: list[str] = []
        self.delayed: list[tuple[str, int]] = []
        self._lock = threading.Lock()

    def receive(self, queue: QueueRef, max_messages: int, visibility_timeout: int, wait: float) -> list[dict[str, Any]]:
        with self._lock:
            out, self.pending = self.pending[:max_messages], self.pending[max_messages:]
        if not out and wait:
            time.sleep(min(wait, 0.01))
        return out

    def delete(self, queue: QueueRef, receipt_handles: list[str]) -> None:
        with self._lock:
            self.deleted.extend(receipt_handles)

    def change_visibility(self, queue: QueueRef, receipt_handles: list[str], seconds: int) -> None:
        with self._lock:
            self.delayed.extend((h, seconds) for h in receipt_handles)

    def wake(self, queue: QueueRef) -> None:
        pass


def _records(n: int, group: str | None = None, prefix: str = "m") -> list[dict[str, Any]]:
    attributes = {"MessageGroupId": group} if group else {}
    return [{"messageId": f"{prefix}{i}", "receiptHandle": f"h-{prefix}{i}", "body": f"{prefix}{i}",
             "attributes": dict(attributes)} for i in range(n)]


def _run(records: list[dict[str, Any]], handler: Any, *, fifo: bool = False, batch_size: int = 10,
         expect: int | None = None, **options: Any) -> tuple[FakeTransport, QueuePoller]:
    transport = FakeTransport(records)
    queue = QueueRef("q.fifo" if fifo else "q", "url", "arn:aws:sqs:us-east-1:123456789012:q", fifo, 30)
    poller = QueuePoller(queue, handler, transport, function_name="f", batch_size=batch_size, concurrency=3,
                         **options).start()
    deadline = time.monotonic() + 5
    expect = len(records) if expect is None else expect
    while poller.stats.messages < expect and time.monotonic() < deadline:
        time.sleep(0.01)
    poller.stop()
    return transport, poller


def test_batches_are_at_most_batch_size_and_all_succeed() -> None:
    sizes: list[int] = []
    transport, poller = _run(_records(25), lambda event, context: sizes.append(len(event["Records"])), batch_size=10)
    assert sorted(sizes) == [5, 10, 10]
    assert sorted(transport.deleted) == sorted(f"h-m{i}" for i in range(25))
    assert poller.stats.invocations == 3 and poller.stats.failed_messages == 0


def test_the_context_is_lambdas() -> None:
    seen: list[Any] = []
    _run(_records(1), lambda event, context: seen.append(context), timeout_seconds=60)
    context = seen[0]
    assert context.function_name == "f" and context.aws_request_id
    assert 0 < context.get_remaining_time_in_millis() <= 60_000


def test_only_listed_failures_stay_on_the_queue() -> None:
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]
                                      if r["body"] in ("m1", "m3")]}

    transport, _ = _run(_records(5), handler)
    assert sorted(transport.deleted) == ["h-m0", "h-m2", "h-m4"]
    assert transport.delayed == []  # no retry delay: they come back after the visibility timeout


@pytest.mark.parametrize("response", [
    {"batchItemFailures": [{"itemIdentifier": "not-in-the-batch"}]},
    {"batchItemFailures": [{"itemIdentifier": ""}]},
    {"batchItemFailures": [{}]},
    {"batchItemFailures": "m1"},
])
def test_an_invalid_response_fails_the_whole_batch(response: dict[str, Any]) -> None:
    transport, poller = _run(_records(3), lambda event, context: response)
    assert transport.deleted == [] and poller.stats.failed_messages == 3


@pytest.mark.parametrize("response", [None, {}, {"batchItemFailures": []}, {"batchItemFailures": None}, "ok"])
def test_empty_responses_are_success(response: Any) -> None:
    transport, _ = _run(_records(3), lambda event, context: response)
    assert len(transport.deleted) == 3


def test_failures_parser() -> None:
    assert _failures({"batchItemFailures": [{"itemIdentifier": "a"}]}, ["a", "b"]) == {"a"}
    assert _failures({"batchItemFailures": [{"itemIdentifier": "c"}]}, ["a", "b"]) is None


def test_a_fifo_group_runs_one_batch_at_a_time_in_order_and_stops_at_a_failure() -> None:
    running: dict[str, int] = {}
    overlap: list[str] = []
    order: list[str] = []
    lock = threading.Lock()

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        group = event["Records"][0]["attributes"]["MessageGroupId"]
        with lock:
            running[group] = running.get(group, 0) + 1
            if running[group] > 1:
                overlap.append(group)
            order.extend(r["body"] for r in event["Records"])
        time.sleep(0.01)
        with lock:
            running[group] -= 1
        failed = [{"itemIdentifier": r["messageId"]} for r in event["Records"] if r["body"] == "b12"]
        return {"batchItemFailures": failed}

    records = _records(30, "A", "a") + _records(30, "B", "b")
    transport, _ = _run(records, handler, fifo=True, expect=50, retry_delay=2)
    assert overlap == []
    assert [b for b in order if b.startswith("a")] == [f"a{i}" for i in range(30)]
    # group B: batches b0-b9, b10-b19 (b12 failed), then nothing more of B
    assert [b for b in order if b.startswith("b")] == [f"b{i}" for i in range(20)]
    assert "h-b12" not in transport.deleted and "h-b13" in transport.deleted  # the handler let b13 pass
    assert {h for h, _ in transport.delayed} == {"h-b12"} | {f"h-b{i}" for i in range(20, 30)}
    assert {s for _, s in transport.delayed} == {2}


def test_a_crash_fails_the_batch_and_is_counted() -> None:
    def handler(event: dict[str, Any], context: Any) -> None:
        raise RuntimeError("boom")

    transport, poller = _run(_records(4), handler, retry_delay=1)
    assert transport.deleted == [] and poller.stats.failed_invocations == 1
    assert sorted(h for h, _ in transport.delayed) == [f"h-m{i}" for i in range(4)]


def test_stop_joins_the_threads() -> None:
    _, poller = _run(_records(2), lambda event, context: None)
    assert poller.threads_alive == 0


# ---------------------------------------------------------------------------- scheduler

def test_schedule_expressions() -> None:
    assert at_time("at(2030-01-02T03:04:05)", None) == 1893553445.0
    assert at_time("at(2030-01-02T04:04:05)", "Europe/Paris") == 1893553445.0
    assert at_time("rate(1 minute)", None) is None
    assert rate_seconds("rate(5 minutes)") == 300 and rate_seconds("rate(1 day)") == 86400
    assert rate_seconds("cron(0 12 * * ? *)") is None


class FakeScheduler:
    def __init__(self, schedules: dict[str, dict[str, Any]]) -> None:
        self.schedules = schedules
        self.deleted: list[str] = []

    def get_paginator(self, name: str) -> Any:
        scheduler = self

        class Paginator:
            def paginate(self, GroupName: str) -> list[dict[str, Any]]:  # noqa: N803 - boto3's name
                return [{"Schedules": [{"Name": n, "State": s.get("State", "ENABLED")}
                                       for n, s in scheduler.schedules.items()]}]

        return Paginator()

    def get_schedule(self, GroupName: str, Name: str) -> dict[str, Any]:  # noqa: N803
        return {"Name": Name, **self.schedules[Name]}

    def delete_schedule(self, GroupName: str, Name: str) -> None:  # noqa: N803
        self.deleted.append(Name)
        self.schedules.pop(Name)


class FakeSqs:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def get_queue_url(self, QueueName: str) -> dict[str, str]:  # noqa: N803
        return {"QueueUrl": f"url/{QueueName}"}

    def send_message(self, **args: Any) -> None:
        self.sent.append(args)


def test_the_loop_fires_at_rate_and_skips_cron() -> None:
    now = [1_900_000_000.0]
    target = {"Arn": "arn:aws:sqs:us-east-1:123456789012:sirocco-timer", "Input": '{"x": 1}'}
    fifo = {"Arn": "arn:aws:sqs:us-east-1:123456789012:sirocco-engine.fifo", "Input": "{}",
            "SqsParameters": {"MessageGroupId": "exec-1"}}
    scheduler = FakeScheduler({
        "once": {"ScheduleExpression": "at(2030-03-17T17:46:50)", "Target": target, "ActionAfterCompletion": "DELETE"},
        "keep": {"ScheduleExpression": "at(2030-03-17T17:46:50)", "Target": fifo},
        "every": {"ScheduleExpression": "rate(1 minute)", "Target": target},
        "cron": {"ScheduleExpression": "cron(0 12 * * ? *)", "Target": target},
        "off": {"ScheduleExpression": "rate(1 minute)", "Target": target, "State": "DISABLED"},
    })
    sqs = FakeSqs()
    loop = SchedulerLoop("sirocco", scheduler, sqs, clock=lambda: now[0])
    assert at_time("at(2030-03-17T17:46:50)", None) == 1_900_000_010.0
    assert loop.tick() == 1  # the rate schedule fires at once
    now[0] += 10
    assert loop.tick() == 2  # both at() schedules are due
    assert scheduler.deleted == ["once"]
    fifo_sent = [m for m in sqs.sent if m["QueueUrl"].endswith(".fifo")]
    assert fifo_sent[0]["MessageGroupId"] == "exec-1" and fifo_sent[0]["MessageDeduplicationId"]
    now[0] += 30
    assert loop.tick() == 0  # "keep" fired already; the rate waits its minute
    now[0] += 30
    assert loop.tick() == 1
    assert all(m["MessageBody"] in ('{"x": 1}', "{}") for m in sqs.sent)
