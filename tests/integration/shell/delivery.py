"""A test-only delivery loop: Lambda's SQS event source, played by hand.

Receives up to 10 messages from each queue, calls the app's handler for that
queue (``app.HANDLERS``, the Chalice entry points) with the Lambda-shaped
event, deletes what succeeded and makes the reported failures visible again
at once (the visibility timeout, shortened). ``duplicate`` hands every batch
to its handler twice (a redelivery after a handler that did its work but
whose deletion was lost)."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any, Callable

import app as sirocco_app
from sirocco.engine import states
from sirocco.handlers.runtime import Runtime
from sirocco.messaging import lambda_events as le

ROLES = ("engine", "executor", "timer", "notifier")


class Delivery:
    def __init__(self, rt: Runtime, duplicate: bool = False) -> None:
        self.rt = rt
        self.sqs = rt.queues.client
        self.duplicate = duplicate
        self.handlers = dict(sirocco_app.HANDLERS)
        names = rt.queue_settings.queues()
        self.queues = {role: (rt.queues.url(names[role]), rt.queues.arn(names[role])) for role in ROLES}
        self.queues["executor-special"] = (rt.queues.url(f"{names['executor']}-special"),
                                           rt.queues.arn(f"{names['executor']}-special"))
        self.handlers["executor-special"] = self.handlers["executor"]
        self.batches: Counter[str] = Counter()
        self.messages: Counter[str] = Counter()
        self.failures: Counter[str] = Counter()
        self.bodies: dict[str, list[str]] = {role: [] for role in self.queues}

    def pump(self, role: str) -> int:
        url, arn = self.queues[role]
        got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                       **le.RECEIVE_ARGS).get("Messages") or []
        if not got:
            return 0
        event = le.sqs_event(got, arn, self.rt.queue_settings.region)
        self.bodies[role].extend(m["Body"] for m in got)
        failed = le.failed_ids(self.handlers[role](event, None))
        if self.duplicate:
            failed |= le.failed_ids(self.handlers[role](event, None))
        self.batches[role] += 1
        self.messages[role] += len(got)
        self.failures[role] += len(failed)
        done = [m for m in got if m["MessageId"] not in failed]
        again = [m for m in got if m["MessageId"] in failed]
        for i in range(0, len(done), 10):
            self.sqs.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(done[i:i + 10])])
        if again:
            self.sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
                {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                for n, m in enumerate(again)])
        return len(got)

    def step(self) -> int:
        return sum(self.pump(role) for role in self.queues)

    def pending(self) -> int:
        """Messages waiting, in flight or delayed, over all queues."""
        return messages_left(self.sqs, [url for url, _ in self.queues.values()])

    def run(self, until: Callable[[], bool] | None = None, timeout: float = 60.0) -> None:
        """Deliver until ``until()`` holds when nothing is ready (or, without it,
        until every queue is empty)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.step():
                continue
            if until is not None and until():
                return
            if until is None and not self.pending():
                return
            time.sleep(0.05)
        raise AssertionError(f"delivery did not finish in {timeout} s (messages: {dict(self.messages)})")

    def run_execution(self, execution_id: str, timeout: float = 60.0) -> Any:
        """Deliver until the execution ends; its header."""
        def ended() -> bool:
            found = self.rt.executions.get_execution(execution_id)
            return found is not None and found[0].state in states.COMPLETED
        self.run(ended, timeout)
        self.run(timeout=timeout)  # what is left (notifications, late duplicates)
        return self.rt.executions.get_execution(execution_id)[0]

    def drain(self) -> None:
        """Delete what is left in the queues (visible messages) without handling it."""
        for url, _ in self.queues.values():
            while True:
                got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages") or []
                if not got:
                    break
                self.sqs.delete_message_batch(QueueUrl=url, Entries=[
                    {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(got)])


def messages_left(sqs: Any, urls: list[str]) -> int:
    """Messages waiting, in flight or delayed, over these queues."""
    total = 0
    for url in urls:
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        total += sum(int(attrs.get(k, 0)) for k in (
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed"))
    return total
