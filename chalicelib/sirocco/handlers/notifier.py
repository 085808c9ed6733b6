"""The notifier queue's handler: deliver each ``Notify`` to its publisher, in order.

Routing sends one message per (notification, publisher); on the FIFO notifier
queue their group is ``<execution id>:<publisher key>``, so one publisher sees one
execution's notifications in the order the engine made them. Per group of a batch:

- delivered -> acknowledged; the next message of the group is handled;
- failed and worth retrying -> this message and every later one of its group in the
  batch fail and are made visible again after a backoff (``backoff * 2**(attempt-1)``
  seconds, capped: their visibility timeout, so no Lambda sleeps); the group waits
  meanwhile (FIFO) and they come back in order;
- failed for good (a 4xx answer, a denied URL, an unknown type), failed on the last of
  ``SIROCCO_NOTIFY_ATTEMPTS`` attempts, or unreadable -> copied to the dead-letter queue
  with the cause in its message attributes, acknowledged, and the group goes on.

Groups of a batch are handled on threads. Every handled message writes a
``notification`` log line (event, payload, publisher, attempt, outcome). Delivery is
at least once: a crash after a publish and before the acknowledgement publishes again
(webhooks get the same ``X-Sirocco-Notification-Id``).
"""

from __future__ import annotations

from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Mapping

from sirocco import eventbridge
from sirocco.engine import Notify
from sirocco.messaging import lambda_events as le
from sirocco.messaging.queues import QueueMissing
from sirocco.messaging.settings import dead_letter_queue
from sirocco.notifier.config import NotifierSettings
from sirocco.notifier.notification import Notification, PublishContext, PublishFailed
from sirocco.notifier.publish import publish

from . import logs
from .runtime import Runtime, get_runtime

#: seconds of Lambda time a publish may need (webhook: 3 s to connect, up to 30 s to answer)
PUBLISH_BUDGET = 35.0
MAX_THREADS = 10


@dataclass(frozen=True)
class Outcome:
    """What became of one message: ``done`` (acknowledge) or retried after ``delay`` s."""

    done: bool
    delay: int = 0


def payload(cmd: Notify, meta: Mapping[str, Any]) -> dict[str, Any]:
    """Mistral's notification payload: the engine's data plus workflow_id and project_id."""
    data = dict(cmd.data)
    data.setdefault("workflow_id", meta.get("workflow_id"))
    data.setdefault("project_id", meta.get("project_id"))
    return data


def notification_id(record: Mapping[str, Any]) -> str | None:
    """The id routing gave the notification: its deduplication id less the publisher's position."""
    dedup = (record.get("attributes") or {}).get("MessageDeduplicationId")
    return dedup.rsplit(":", 1)[0] if dedup else None


class _Deliverer:
    def __init__(self, rt: Runtime, settings: NotifierSettings, context: Any) -> None:
        self.rt = rt
        self.settings = settings
        self.context = context
        self.publish_context = PublishContext(settings, logs.always, eventbridge.shared)

    def remaining(self) -> float:
        get = getattr(self.context, "get_remaining_time_in_millis", None)
        return get() / 1000.0 if get is not None else float("inf")

    def group(self, records: list[Mapping[str, Any]]) -> list[tuple[Mapping[str, Any], Outcome]]:
        """Handle one group's records in order; after the first retry the rest wait with it."""
        out: list[tuple[Mapping[str, Any], Outcome]] = []
        waiting: Outcome | None = None
        for record in records:
            if waiting is None:
                if self.remaining() < PUBLISH_BUDGET:
                    waiting = Outcome(False, 0)  # out of Lambda time: again at once, in order
                else:
                    outcome = self.one(record)
                    if not outcome.done:
                        waiting = outcome
                    out.append((record, outcome))
                    continue
            out.append((record, waiting))
        return out

    def one(self, record: Mapping[str, Any]) -> Outcome:
        attempt = le.receive_count(record)
        try:
            envelope = self.rt.queues.read(record["body"])
            if not isinstance(envelope.obj, Notify):
                raise ValueError(f"{envelope.type} is not a Notify")
        except Exception as exc:
            return self.give_up(record, f"unreadable message: {type(exc).__name__}: {exc}", attempt, None)
        cmd = envelope.obj
        note = Notification(cmd.execution_id, cmd.event, cmd.entity, cmd.entity_id, payload(cmd, envelope.meta),
                            cmd.timestamp, notification_id(record))
        fields = {"event": cmd.event, "entity": cmd.entity, "execution_id": cmd.execution_id,
                  "task_id": cmd.entity_id if cmd.entity == "task" else None, "timestamp": cmd.timestamp,
                  "data": note.data, "publishers": [dict(p) for p in cmd.publishers], "attempt": attempt,
                  "notification_id": note.id}
        for publisher in cmd.publishers:
            try:
                publish(publisher, note, self.publish_context)
            except PublishFailed as exc:
                if exc.retry and attempt < self.settings.attempts:
                    delay = self.settings.delay_after(attempt)
                    logs.warning("notification", outcome="retry", cause=exc.cause, retry_in=delay, **fields)
                    return Outcome(False, delay)
                logs.info("notification", outcome="given up", cause=exc.cause, **fields)
                return self.give_up(record, exc.cause, attempt, cmd.execution_id)
            except Exception as exc:  # a bug or an outage of ours: retried like a failed publish
                delay = self.settings.delay_after(attempt)
                logs.error("notification", outcome="retry", retry_in=delay, **fields, **logs.exception_fields(exc))
                return Outcome(False, delay)
        logs.info("notification", outcome="sent", **fields)
        return Outcome(True)

    def give_up(self, record: Mapping[str, Any], cause: str, attempt: int, execution_id: str | None) -> Outcome:
        """Copy the message to the dead-letter queue with its cause; acknowledge it."""
        source = str(record.get("eventSourceARN", "")).rsplit(":", 1)[-1]
        dlq = dead_letter_queue(source) if source else ""
        ids = {"message_id": record.get("messageId"), "execution_id": execution_id, "attempts": attempt}
        try:
            self.rt.queues.client.send_message(**_dead_letter(record, self.rt.queues.url(dlq), cause, attempt))
        except Exception as exc:
            if isinstance(exc, QueueMissing) or not dlq:
                logs.error("notification dropped (no dead-letter queue)", queue=dlq, cause=cause, **ids)
                return Outcome(True)
            delay = self.settings.delay_after(attempt)
            logs.error("notification not given up: dead-letter queue unreachable; retried", queue=dlq,
                       cause=cause, **ids, **logs.exception_fields(exc))
            return Outcome(False, delay)
        logs.error("notification given up", queue=dlq, cause=cause, **ids)
        return Outcome(True)


def _dead_letter(record: Mapping[str, Any], url: str, cause: str, attempt: int) -> dict[str, Any]:
    attributes = {"cause": {"DataType": "String", "StringValue": cause[:4000] or "unknown"},
                  "attempts": {"DataType": "Number", "StringValue": str(attempt)},
                  "source_message_id": {"DataType": "String", "StringValue": str(record.get("messageId", "?"))}}
    args: dict[str, Any] = {"QueueUrl": url, "MessageBody": record["body"], "MessageAttributes": attributes}
    if url.endswith(".fifo"):
        attrs = record.get("attributes") or {}
        args["MessageGroupId"] = attrs.get("MessageGroupId") or "notifier"
        args["MessageDeduplicationId"] = attrs.get("MessageDeduplicationId") or str(record.get("messageId"))
    return args


def _groups(records: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Records by FIFO group, in arrival order (a standard queue: each record alone)."""
    groups: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
    for n, record in enumerate(records):
        groups.setdefault(le.group_id(record) or f"#{n}", []).append(record)
    return list(groups.values())


def _delay_visibility(rt: Runtime, failed: list[tuple[Mapping[str, Any], int]]) -> None:
    """Make failed messages visible again after their backoff (ChangeMessageVisibilityBatch)."""
    by_queue: dict[str, list[dict[str, Any]]] = {}
    for record, delay in failed:
        queue = str(record.get("eventSourceARN", "")).rsplit(":", 1)[-1]
        if queue and record.get("receiptHandle"):
            entries = by_queue.setdefault(queue, [])
            entries.append({"Id": str(len(entries)), "ReceiptHandle": record["receiptHandle"],
                            "VisibilityTimeout": int(delay)})
    for queue, entries in by_queue.items():
        try:
            url = rt.queues.url(queue)
            for start in range(0, len(entries), 10):
                rt.queues.client.change_message_visibility_batch(QueueUrl=url, Entries=entries[start:start + 10])
        except Exception as exc:  # they come back after the queue's visibility timeout instead
            logs.warning("could not set the retry delay of notifications", queue=queue, **logs.exception_fields(exc))


def handle(event: Mapping[str, Any], context: Any = None, runtime: Runtime | None = None,
           settings: NotifierSettings | None = None) -> dict[str, Any]:
    rt = runtime or get_runtime()
    deliverer = _Deliverer(rt, settings or NotifierSettings.from_env(), context)
    groups = _groups(le.records(event))
    if len(groups) <= 1:
        results = [deliverer.group(g) for g in groups]
    else:
        with ThreadPoolExecutor(max_workers=min(MAX_THREADS, len(groups))) as pool:
            results = list(pool.map(deliverer.group, groups))
    failed = [(record, outcome.delay) for result in results for record, outcome in result if not outcome.done]
    if failed:
        _delay_visibility(rt, failed)
    return le.batch_response(str(record.get("messageId", "")) for record, _ in failed)

