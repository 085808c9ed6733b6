"""Local SQS delivery: what Lambda's SQS event source mapping does in AWS.

A ``QueuePoller`` thread receives messages from one queue and calls the Chalice
app's handler registered for it (``@app.on_sqs_message``) with Lambda's event
shape, ``{"Records": [{"messageId", "receiptHandle", "body", "attributes",
"messageAttributes", "md5OfBody", "eventSource", "eventSourceARN",
"awsRegion"}, ...]}``, in batches of the handler's ``batch_size``. As with
``FunctionResponseTypes: [ReportBatchItemFailures]`` (infra/resources.yaml):

- the handler returns ``{"batchItemFailures": [{"itemIdentifier": <messageId>}]}``
  and only the messages listed stay on the queue; ``None``, ``{}`` or an empty
  list is success; an exception, or a response naming an id that is not in the
  batch, fails the whole batch;
- messages that failed become visible again after the queue's visibility
  timeout (or after ``retry_delay`` seconds, `sirocco dev --retry-delay`: a
  local convenience, AWS always waits the visibility timeout), and go to the
  dead-letter queue after ``maxReceiveCount`` receives;
- FIFO queues: one message group is handled by one batch at a time, in order;
  after a failed batch the rest of that group's messages wait for the failed
  ones to come back. Different groups run in parallel.

Up to ``concurrency`` batches of one queue run at once (Lambda's concurrency).

With ``faults`` (`sirocco dev --faults`, faults.py) the poller also misbehaves as
AWS may: it hands messages to the handler a second time (FIFO: right after the
batch, in the group's order; standard queues: at once or in a later round, among
other messages), loses executor messages (acknowledged, never run), and lets the
handler crash after any AWS call; a crashed batch is retried like a failed one.

Two transports. ``MotoTransport`` talks to the embedded emulator's SQS backend in
this process: one receive takes as many messages as the free workers can run in
one pass over the queue, and the deletes of a round are one pass too, so a
deep queue (10,000 messages of a with-items) costs O(depth) per round of up to
``concurrency * batch_size`` messages instead of O(depth) per 10 messages plus
milliseconds of HTTP per call. ``Boto3Transport`` is SQS's API over HTTP, for
``--endpoint`` (LocalStack) and AWS.
"""

from __future__ import annotations

import base64
import logging
import random
import math
import threading
import time
from collections import OrderedDict
import queue as queue_module
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Protocol

from sirocco.actions.function_invokers import LocalLambdaContext

from .faults import Faults, InjectedCrash

log = logging.getLogger("sirocco.dev")

#: how long an idle receiver waits for a message before looking again (moto
#: wakes it at once when a message arrives; this bounds a missed wake-up)
IDLE_WAIT = 0.05
#: FIFO: after a receive found nothing while groups are in flight (their later
#: messages are held back), wait this long for one of them to finish before
#: looking again, rather than re-reading the queue on every new message
FIFO_BUSY_WAIT = 0.25
#: batches received ahead per worker (Lambda's pollers also hold more than they run)
PREFETCH = 4


@dataclass(frozen=True)
class QueueRef:
    name: str
    url: str
    arn: str
    fifo: bool
    visibility_timeout: int


class Transport(Protocol):
    def receive(self, queue: QueueRef, max_messages: int, visibility_timeout: int,
                wait: float) -> list[dict[str, Any]]:
        """Up to ``max_messages`` Lambda records; waits up to ``wait`` seconds when
        there are none."""

    def delete(self, queue: QueueRef, receipt_handles: list[str]) -> None: ...

    def wake(self, queue: QueueRef) -> None:
        """Make a ``receive`` that is waiting return early."""

    def change_visibility(self, queue: QueueRef, receipt_handles: list[str], seconds: int) -> None: ...


# ---------------------------------------------------------------------------- records

def lambda_record(*, message_id: str, receipt_handle: str, body: str, attributes: dict[str, str],
                  message_attributes: dict[str, Any], md5_of_body: str, md5_of_attributes: str | None,
                  queue: QueueRef, region: str) -> dict[str, Any]:
    record: dict[str, Any] = {
        "messageId": message_id,
        "receiptHandle": receipt_handle,
        "body": body,
        "attributes": attributes,
        "messageAttributes": message_attributes,
        "md5OfBody": md5_of_body,
        "eventSource": "aws:sqs",
        "eventSourceARN": queue.arn,
        "awsRegion": region,
    }
    if message_attributes and md5_of_attributes:
        record["md5OfMessageAttributes"] = md5_of_attributes
    return record


def _lambda_attribute(value: dict[str, Any]) -> dict[str, Any]:
    """An SQS API message attribute (``StringValue``/``BinaryValue``) as Lambda shows it."""
    out: dict[str, Any] = {"stringListValues": [], "binaryListValues": [], "dataType": value.get("DataType")}
    if value.get("StringValue") is not None:
        out["stringValue"] = value["StringValue"]
    if value.get("BinaryValue") is not None:
        raw = value["BinaryValue"]
        out["binaryValue"] = base64.b64encode(raw).decode() if isinstance(raw, bytes) else raw
    return out


# ---------------------------------------------------------------------------- transports

class MotoTransport:
    """The embedded emulator's SQS backend, called in this process."""

    def __init__(self, account: str, region: str) -> None:
        from moto.backends import get_backend

        self.region = region
        self._backend = get_backend("sqs")[account][region]

    def _queue(self, queue: QueueRef) -> Any:
        return self._backend.get_queue(queue.name)

    def receive(self, queue: QueueRef, max_messages: int, visibility_timeout: int,
                wait: float) -> list[dict[str, Any]]:
        messages = self._backend.receive_message(queue.name, max_messages, 0, visibility_timeout, ["All"])
        if not messages and wait > 0:
            condition = self._queue(queue)._messages_lock
            with condition:
                condition.wait(wait)
            messages = self._backend.receive_message(queue.name, max_messages, 0, visibility_timeout, ["All"])
        return [self._record(m, queue) for m in messages]

    def _record(self, message: Any, queue: QueueRef) -> dict[str, Any]:
        attributes = {
            "ApproximateReceiveCount": str(message.approximate_receive_count),
            "SentTimestamp": str(message.sent_timestamp),
            "SenderId": str(message.sender_id),
            "ApproximateFirstReceiveTimestamp": str(message.approximate_first_receive_timestamp),
        }
        if message.sequence_number:
            attributes["SequenceNumber"] = str(message.sequence_number)
        if message.group_id:
            attributes["MessageGroupId"] = message.group_id
        if message.deduplication_id:
            attributes["MessageDeduplicationId"] = message.deduplication_id
        trace = (message.system_attributes or {}).get("AWSTraceHeader")
        if trace:
            attributes["AWSTraceHeader"] = trace.get("StringValue", trace) if isinstance(trace, dict) else trace
        message_attributes = {name: _lambda_attribute(value) for name, value in message.message_attributes.items()}
        return lambda_record(
            message_id=message.id, receipt_handle=message.receipt_handle, body=message.body,
            attributes=attributes, message_attributes=message_attributes, md5_of_body=message.body_md5,
            md5_of_attributes=message.attribute_md5 if message_attributes else None,
            queue=queue, region=self.region)

    def delete(self, queue: QueueRef, receipt_handles: list[str]) -> None:
        """Delete in one pass over the queue (moto's DeleteMessage makes two passes
        per message)."""
        if not receipt_handles:
            return
        target = self._queue(queue)
        handles = set(receipt_handles)
        try:
            with target._messages_lock:
                keep = []
                for message in target._messages:
                    if message.receipt_handle in handles or any(h in handles for h in message._old_receipt_handles):
                        target.pending_messages.discard(message)
                        target.deleted_messages.update(message.all_receipt_handles)
                    else:
                        keep.append(message)
                target._messages = keep
        except AttributeError:  # moto's internals moved: fall back on its API
            for handle in receipt_handles:
                self._backend.delete_message(queue.name, handle)

    def change_visibility(self, queue: QueueRef, receipt_handles: list[str], seconds: int) -> None:
        for handle in receipt_handles:
            self._backend.change_message_visibility(queue.name, handle, seconds)

    def wake(self, queue: QueueRef) -> None:
        condition = self._queue(queue)._messages_lock
        with condition:
            condition.notify_all()

    def depth(self, queue: QueueRef) -> int:
        """Messages on the queue, in flight included."""
        return len(self._queue(queue)._messages)


class Boto3Transport:
    """SQS's API over HTTP (LocalStack, AWS, or the emulator's endpoint)."""

    def __init__(self, sqs_client: Any, region: str) -> None:
        self._sqs = sqs_client
        self.region = region

    def receive(self, queue: QueueRef, max_messages: int, visibility_timeout: int,
                wait: float) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        wait_seconds = min(20, math.ceil(wait))
        while len(records) < max_messages:
            answer = self._sqs.receive_message(
                QueueUrl=queue.url, MaxNumberOfMessages=min(10, max_messages - len(records)),
                WaitTimeSeconds=wait_seconds if not records else 0, VisibilityTimeout=visibility_timeout,
                MessageSystemAttributeNames=["All"], MessageAttributeNames=["All"])
            messages = answer.get("Messages", [])
            records.extend(self._record(m, queue) for m in messages)
            if len(messages) < 10:
                break
        return records

    def _record(self, message: dict[str, Any], queue: QueueRef) -> dict[str, Any]:
        message_attributes = {name: _lambda_attribute(value)
                              for name, value in (message.get("MessageAttributes") or {}).items()}
        return lambda_record(
            message_id=message["MessageId"], receipt_handle=message["ReceiptHandle"], body=message["Body"],
            attributes=dict(message.get("Attributes") or {}), message_attributes=message_attributes,
            md5_of_body=message.get("MD5OfBody", ""), md5_of_attributes=message.get("MD5OfMessageAttributes"),
            queue=queue, region=self.region)

    def delete(self, queue: QueueRef, receipt_handles: list[str]) -> None:
        for start in range(0, len(receipt_handles), 10):
            chunk = receipt_handles[start:start + 10]
            answer = self._sqs.delete_message_batch(QueueUrl=queue.url, Entries=[
                {"Id": str(i), "ReceiptHandle": handle} for i, handle in enumerate(chunk)])
            for failure in answer.get("Failed", []):
                log.warning("%s: could not delete a message: %s", queue.name, failure.get("Message"))

    def change_visibility(self, queue: QueueRef, receipt_handles: list[str], seconds: int) -> None:
        for start in range(0, len(receipt_handles), 10):
            chunk = receipt_handles[start:start + 10]
            self._sqs.change_message_visibility_batch(QueueUrl=queue.url, Entries=[
                {"Id": str(i), "ReceiptHandle": handle, "VisibilityTimeout": seconds}
                for i, handle in enumerate(chunk)])

    def wake(self, queue: QueueRef) -> None:
        pass  # a long poll ends by itself within a second


# ---------------------------------------------------------------------------- the poller

@dataclass
class PollerStats:
    invocations: int = 0
    messages: int = 0
    failed_messages: int = 0
    failed_invocations: int = 0
    busy_seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, *, messages: int, failed: int, crashed: bool, seconds: float) -> None:
        with self._lock:
            self.invocations += 1
            self.messages += messages
            self.failed_messages += failed
            self.failed_invocations += int(crashed)
            self.busy_seconds += seconds

    def as_dict(self) -> dict[str, Any]:
        return {"invocations": self.invocations, "messages": self.messages,
                "failed_messages": self.failed_messages, "failed_invocations": self.failed_invocations,
                "busy_seconds": round(self.busy_seconds, 3)}


Handler = Callable[[dict[str, Any], Any], Any]


class _Replay(list):  # type: ignore[type-arg]
    """A batch handed to the handler again (fault injection), not received."""


class QueuePoller:
    """One queue's event source mapping: a receiver thread and a worker pool."""

    def __init__(self, queue: QueueRef, handler: Handler, transport: Transport, *, function_name: str,
                 batch_size: int = 10, batching_window: float = 0.0, concurrency: int = 4,
                 timeout_seconds: int = 60, retry_delay: int | None = None, faults: Faults | None = None,
                 role: str = "") -> None:
        self.queue = queue
        self.faults = faults
        self.role = role
        self._replays: list[_Replay] = []  # duplicates kept for a later round
        self.handler = handler
        self.transport = transport
        self.function_name = function_name
        self.batch_size = max(1, batch_size)
        self.batching_window = batching_window
        self.concurrency = max(1, concurrency)
        self.timeout_seconds = timeout_seconds
        #: seconds before a failed message is received again (None: the queue's visibility timeout)
        self.retry_delay = retry_delay
        self.stats = PollerStats()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._running = 0  # tasks submitted and not finished
        self._finished = threading.Event()  # a task finished: workers are free again
        self._to_delete: list[str] = []
        self._tasks_queue: queue_module.SimpleQueue[list[list[dict[str, Any]]] | None] = queue_module.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=f"poll-{queue.name}", daemon=True)
        # daemon threads: a handler stuck in a long action cannot keep the process alive
        self._workers = [threading.Thread(target=self._work, name=f"sqs-{queue.name}-{i}", daemon=True)
                         for i in range(self.concurrency)]

    # -- life cycle

    def start(self) -> "QueuePoller":
        self._thread.start()
        for worker in self._workers:
            worker.start()
        return self

    def request_stop(self) -> None:
        """Stop receiving and starting batches (``stop`` then waits)."""
        self._stop.set()
        self._finished.set()
        try:
            self.transport.wake(self.queue)
        except Exception:  # noqa: BLE001 - the emulator may be gone already
            pass

    def stop(self, timeout: float = 5.0) -> None:
        """Stop receiving; give running batches ``timeout`` seconds to finish (their
        results are applied), then join the threads. A batch still running after
        that is abandoned, as a Lambda that timed out: its messages come back
        after the visibility timeout."""
        deadline = time.monotonic() + timeout
        self.request_stop()
        self._thread.join(max(0.0, deadline - time.monotonic()))
        for _ in self._workers:
            self._tasks_queue.put(None)
        for worker in self._workers:
            worker.join(max(0.0, deadline - time.monotonic()))
        try:
            self._flush_deletes()
        except Exception:  # noqa: BLE001 - the emulator may be gone already
            log.debug("%s: final deletes failed", self.queue.name, exc_info=True)

    @property
    def threads_alive(self) -> int:
        return sum(t.is_alive() for t in [self._thread, *self._workers])

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    @property
    def idle(self) -> bool:
        with self._lock:
            return self._running == 0 and not self._to_delete

    # -- receiving

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._round()
            except Exception:  # noqa: BLE001 - keep delivering; the emulator may be stopping
                if self._stop.is_set():
                    break
                log.exception("%s: receive failed", self.queue.name)
                self._stop.wait(0.5)

    def _round(self) -> None:
        self._flush_deletes()
        with self._lock:
            running = self._running
        free = self.concurrency * PREFETCH - running
        if free <= 0:
            self._finished.wait(IDLE_WAIT)
            self._finished.clear()
            return
        wanted = free * self.batch_size
        busy_fifo = self.queue.fifo and running > 0
        records = self.transport.receive(self.queue, wanted, self.queue.visibility_timeout,
                                         0 if busy_fifo else IDLE_WAIT)
        if not records:
            if busy_fifo:
                self._finished.wait(FIFO_BUSY_WAIT)
                self._finished.clear()
            return
        if self.batching_window > 0 and len(records) < min(wanted, self.batch_size):
            deadline = time.monotonic() + self.batching_window
            while len(records) < min(wanted, self.batch_size) and not self._stop.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                records += self.transport.receive(self.queue, wanted - len(records),
                                                  self.queue.visibility_timeout, min(left, IDLE_WAIT))
        tasks = list(self._tasks(records))
        with self._lock:
            replays, self._replays = self._replays, []
        if replays:  # late duplicates, among this round's messages
            for batch in replays:
                tasks.insert(random.randrange(len(tasks) + 1), [batch])
        for task in tasks:
            with self._lock:
                self._running += 1
            self._tasks_queue.put(task)

    def _tasks(self, records: list[dict[str, Any]]) -> Iterable[list[list[dict[str, Any]]]]:
        """Units of work, each a list of batches run one after the other: one
        batch per task on a standard queue, one task per message group on FIFO."""
        if not self.queue.fifo:
            for start in range(0, len(records), self.batch_size):
                yield [records[start:start + self.batch_size]]
            return
        groups: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
        for record in records:
            groups.setdefault(record["attributes"].get("MessageGroupId", ""), []).append(record)
        for messages in groups.values():
            yield [messages[start:start + self.batch_size] for start in range(0, len(messages), self.batch_size)]

    # -- handling

    def _work(self) -> None:
        while True:
            task = self._tasks_queue.get()
            if task is None:
                return
            self._run_task(task)

    def _run_task(self, batches: list[list[dict[str, Any]]]) -> None:
        try:
            for index, batch in enumerate(batches):
                if self._stop.is_set():
                    break  # not handled: visible again after the visibility timeout
                if isinstance(batch, _Replay):  # a late duplicate: handled, never acknowledged again
                    self.invoke(batch)
                    continue
                batch, lost = self._lose(batch)
                failed = self.invoke(batch) if batch else set()
                self._duplicate([r for r in batch if r["messageId"] not in failed])
                done = [r["receiptHandle"] for r in [*batch, *lost] if r["messageId"] not in failed]
                with self._lock:
                    self._to_delete.extend(done)
                if failed:
                    retry = [r["receiptHandle"] for r in batch if r["messageId"] in failed]
                    if self.queue.fifo:  # the group waits for its failed messages, in order
                        retry += [r["receiptHandle"] for later in batches[index + 1:] for r in later]
                    self._retry_soon(retry)
                    if self.queue.fifo:
                        break
        finally:
            with self._lock:
                self._running -= 1
            self._finished.set()
            try:
                self.transport.wake(self.queue)
            except Exception:  # noqa: BLE001
                pass

    def _lose(self, batch: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Faults: executor messages a worker takes and never answers (acknowledged, not run)."""
        if self.faults is None or self.role != "executor":
            return batch, []
        kept, lost = self.faults.split_lost(batch)
        if lost:
            log.warning("%s: fault: %d action(s) taken by a lost worker, never answered", self.function_name,
                        len(lost))
        return kept, lost

    def _duplicate(self, batch: list[dict[str, Any]]) -> None:
        """Faults: hand some messages of a handled batch to the handler again."""
        if self.faults is None or not batch:
            return
        again = self.faults.pick("duplicate", batch)
        if not again:
            return
        if self.queue.fifo or self.faults.coin():
            self.invoke(again)  # FIFO: before the group's next batch, one writer per execution
        else:
            with self._lock:
                self._replays.append(_Replay(again))

    def _retry_soon(self, receipt_handles: list[str]) -> None:
        """With ``retry_delay``, failed messages come back after that many seconds
        instead of the queue's visibility timeout."""
        if self.retry_delay is None or not receipt_handles:
            return
        try:
            self.transport.change_visibility(self.queue, receipt_handles, self.retry_delay)
        except Exception:  # noqa: BLE001 - they come back after the visibility timeout anyway
            log.debug("%s: could not shorten the retry delay", self.queue.name, exc_info=True)

    def invoke(self, batch: list[dict[str, Any]]) -> set[str]:
        """Call the handler with one batch; the message ids that failed."""
        ids = [r["messageId"] for r in batch]
        started = time.perf_counter()
        crashed = False
        try:
            result = self._call({"Records": batch}, LocalLambdaContext(self.function_name, self.timeout_seconds))
            failed = _failures(result, ids)
            if failed is None:
                log.warning("%s: invalid batchItemFailures %r; the whole batch is retried",
                            self.function_name, result)
                failed = set(ids)
        except InjectedCrash as crash:
            log.warning("%s: %s; %d message(s) will be retried after %d s", self.function_name, crash,
                        len(batch), self._retry_after)
            failed, crashed = set(ids), True
        except Exception:  # noqa: BLE001 - as Lambda: the whole batch is retried
            log.exception("%s: handler raised; %d message(s) will be retried after %d s",
                          self.function_name, len(batch), self._retry_after)
            failed, crashed = set(ids), True
        self.stats.add(messages=len(batch), failed=len(failed), crashed=crashed,
                       seconds=time.perf_counter() - started)
        if failed and not crashed:
            log.info("%s: %d of %d message(s) failed; retried after %d s", self.function_name,
                     len(failed), len(batch), self._retry_after)
        return failed

    def _call(self, event: dict[str, Any], context: LocalLambdaContext) -> Any:
        if self.faults is None:
            return self.handler(event, context)
        with self.faults.invocation(self.role or self.queue.name):
            return self.handler(event, context)

    @property
    def _retry_after(self) -> int:
        return self.queue.visibility_timeout if self.retry_delay is None else self.retry_delay

    def _flush_deletes(self) -> None:
        with self._lock:
            handles, self._to_delete = self._to_delete, []
        if handles:
            self.transport.delete(self.queue, handles)


def _failures(result: Any, ids: list[str]) -> set[str] | None:
    """The ids a partial batch response names; None when the response is invalid
    (Lambda then treats the whole batch as failed)."""
    if result is None or not isinstance(result, dict) or "batchItemFailures" not in result:
        return set()
    items = result["batchItemFailures"]
    if items is None:
        return set()
    if not isinstance(items, list):
        return None
    known = set(ids)
    failed = set()
    for item in items:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not identifier or identifier not in known:
            return None
        failed.add(identifier)
    return failed
