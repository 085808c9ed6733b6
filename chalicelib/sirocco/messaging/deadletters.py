"""Dead letters: messages that kept failing, with their cause, listed and sent back.

Every queue has a dead-letter queue (``settings.dead_letter_queue``: ``<queue>-dlq``,
FIFO for a FIFO queue). SQS moves a message there by itself after ``maxReceiveCount``
receives, but without saying why; so a handler that fails a message on its last
receive copies it there itself, with message attributes naming the cause, and
acknowledges it (``copy``). What a Lambda that stops (a timeout, a crash) leaves
behind still reaches the DLQ through the redrive policy, without a cause.

``listing`` reads a DLQ without consuming it (received, then made visible again at
once) and ``redrive`` sends its messages back to their queue, in order, and deletes
them from the DLQ. SQS has no way to peek: listing receives, so it raises the
dead letters' receive counts (which nothing reads) and, on a FIFO DLQ, shows at
most 10 messages of a group (the rest of the group stays hidden while they are
in flight).
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from . import lambda_events as le
from .queues import QueueMissing, Queues
from .settings import dead_letter_queue

#: message attributes a dead letter carries (the notifier uses the first three too)
CAUSE, ATTEMPTS, SOURCE_MESSAGE_ID, SOURCE_QUEUE, HANDLER, FAILED_AT = (
    "cause", "attempts", "source_message_id", "source_queue", "handler", "failed_at")
#: SQS refuses attribute values over 256 KiB with the body; a cause is kept short
CAUSE_LIMIT = 4000
#: seconds a listed message stays hidden while the listing runs
LIST_VISIBILITY = 30


def source_queue(record: Mapping[str, Any]) -> str:
    """The queue a Lambda record came from (the last part of its ARN)."""
    return str(record.get("eventSourceARN", "")).rsplit(":", 1)[-1]


def is_last_attempt(record: Mapping[str, Any], max_receives: int) -> bool:
    """True on the receive after which SQS would move the message to its DLQ."""
    return le.receive_count(record) >= max_receives


def _text(value: str) -> dict[str, str]:
    return {"DataType": "String", "StringValue": value or "-"}


def copy(queues: Queues, record: Mapping[str, Any], cause: str, handler: str, now: float | None = None) -> str:
    """Put a copy of ``record`` (a Lambda SQS record) in its queue's DLQ with the cause;
    the DLQ's name. Raises (``QueueMissing``, SQS errors) when it cannot: then the
    caller fails the message and SQS's redrive policy moves it instead."""
    source = source_queue(record)
    dlq = dead_letter_queue(source)
    attributes = {CAUSE: _text(cause[:CAUSE_LIMIT]),
                  ATTEMPTS: {"DataType": "Number", "StringValue": str(le.receive_count(record))},
                  SOURCE_MESSAGE_ID: _text(str(record.get("messageId", ""))),
                  SOURCE_QUEUE: _text(source),
                  HANDLER: _text(handler),
                  FAILED_AT: {"DataType": "Number", "StringValue": f"{time.time() if now is None else now:.3f}"}}
    args: dict[str, Any] = {"QueueUrl": queues.url(dlq), "MessageBody": record["body"],
                            "MessageAttributes": attributes}
    if dlq.endswith(".fifo"):
        attrs = record.get("attributes") or {}
        args["MessageGroupId"] = attrs.get("MessageGroupId") or handler
        args["MessageDeduplicationId"] = attrs.get("MessageDeduplicationId") or str(record.get("messageId"))
    queues.client.send_message(**args)
    return dlq


# ---------------------------------------------------------------------------- operators


@dataclass
class DeadLetter:
    """One message of a DLQ as an operator sees it."""

    queue: str  # the DLQ
    source_queue: str  # where it came from, and where a redrive sends it
    message_id: str
    body: str
    cause: str | None = None
    attempts: int | None = None
    handler: str | None = None
    failed_at: float | None = None
    sent_at: float | None = None
    group_id: str | None = None
    dedup_id: str | None = None
    type: str | None = None  # the envelope's type, when the body is one
    to: str | None = None  # the execution an engine event is for
    attributes: dict[str, Any] = field(default_factory=dict)
    receipt_handle: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("receipt_handle", "attributes")}


def dead_letter_queues(queues: Queues, names: Iterable[str]) -> dict[str, str]:
    """Source queue -> its DLQ, for the ``names`` whose DLQ exists, executor target
    queues found by the executor queue's name included."""
    found: dict[str, str] = {}
    for name in names:
        candidates = [name]
        if not name.endswith(".fifo") and "executor" in name:
            listed = queues.client.list_queues(QueueNamePrefix=f"{name}-").get("QueueUrls") or []
            candidates += [u.rsplit("/", 1)[-1] for u in listed if not u.endswith("-dlq")]
        for source in candidates:
            dlq = dead_letter_queue(source)
            try:
                queues.url(dlq)
            except QueueMissing:
                continue
            found[source] = dlq
    return found


def _number(value: Mapping[str, Any] | None) -> float | None:
    try:
        return float(value["StringValue"]) if value else None
    except (KeyError, TypeError, ValueError):
        return None


def _letter(dlq: str, source: str, message: Mapping[str, Any]) -> DeadLetter:
    attrs = message.get("MessageAttributes") or {}
    system = message.get("Attributes") or {}
    value = (lambda key: (attrs.get(key) or {}).get("StringValue"))
    letter = DeadLetter(queue=dlq, source_queue=value(SOURCE_QUEUE) or source, message_id=message["MessageId"],
                        body=message["Body"], cause=value(CAUSE), handler=value(HANDLER),
                        attempts=int(_number(attrs.get(ATTEMPTS)) or 0) or None,
                        failed_at=_number(attrs.get(FAILED_AT)),
                        sent_at=(float(system["SentTimestamp"]) / 1000 if system.get("SentTimestamp") else None),
                        group_id=system.get("MessageGroupId"), dedup_id=system.get("MessageDeduplicationId"),
                        attributes=dict(attrs), receipt_handle=message["ReceiptHandle"])
    try:
        data = json.loads(letter.body)
        if isinstance(data, dict):
            letter.type = data.get("type") if isinstance(data.get("type"), str) else None
            letter.to = data.get("to") if isinstance(data.get("to"), str) else None
    except ValueError:
        pass
    return letter


def _receive(queues: Queues, dlq: str, source: str, limit: int) -> list[DeadLetter]:
    url = queues.url(dlq)
    seen: dict[str, DeadLetter] = {}
    while len(seen) < limit:
        got = queues.client.receive_message(QueueUrl=url, MaxNumberOfMessages=min(10, limit - len(seen)),
                                            VisibilityTimeout=LIST_VISIBILITY, WaitTimeSeconds=0,
                                            **le.RECEIVE_ARGS).get("Messages") or []
        fresh = [m for m in got if m["MessageId"] not in seen]
        for message in fresh:
            seen[message["MessageId"]] = _letter(dlq, source, message)
        if not fresh:
            break
    return list(seen.values())


def _show_again(queues: Queues, dlq: str, letters: list[DeadLetter]) -> None:
    url = queues.url(dlq)
    for start in range(0, len(letters), 10):
        queues.client.change_message_visibility_batch(QueueUrl=url, Entries=[
            {"Id": str(n), "ReceiptHandle": d.receipt_handle, "VisibilityTimeout": 0}
            for n, d in enumerate(letters[start:start + 10])])


def listing(queues: Queues, sources: Mapping[str, str], limit: int = 100) -> list[DeadLetter]:
    """Up to ``limit`` messages of each DLQ of ``sources`` (source -> DLQ), left in place."""
    letters: list[DeadLetter] = []
    for source, dlq in sources.items():
        found = _receive(queues, dlq, source, limit)
        _show_again(queues, dlq, found)
        letters += found
    return letters


@dataclass
class Redriven:
    queue: str  # the DLQ
    source_queue: str
    moved: list[str] = field(default_factory=list)  # message ids sent back
    kept: list[str] = field(default_factory=list)  # listed but not asked for


def redrive(queues: Queues, sources: Mapping[str, str], message_ids: Iterable[str] | None = None,
            limit: int = 1000) -> list[Redriven]:
    """Send the DLQs' messages (all, or those of ``message_ids``) back to their source
    queues, in the order received, and delete them from the DLQs. A FIFO message keeps
    its group and gets a new deduplication id (the old one may still be remembered);
    the engine's event ids make a repeat harmless."""
    wanted = set(message_ids) if message_ids is not None else None
    out: list[Redriven] = []
    for source, dlq in sources.items():
        result = Redriven(dlq, source)
        found = _receive(queues, dlq, source, limit)
        chosen = [d for d in found if wanted is None or d.message_id in wanted]
        others = [d for d in found if d not in chosen]
        for letter in chosen:
            target = letter.source_queue or source
            args: dict[str, Any] = {"QueueUrl": queues.url(target), "MessageBody": letter.body}
            if target.endswith(".fifo"):
                args["MessageGroupId"] = letter.group_id or "redrive"
                args["MessageDeduplicationId"] = f"redrive-{uuid.uuid4().hex}"
            queues.client.send_message(**args)
            queues.client.delete_message(QueueUrl=queues.url(dlq), ReceiptHandle=letter.receipt_handle)
            result.moved.append(letter.message_id)
        if others:
            _show_again(queues, dlq, others)
            result.kept = [d.message_id for d in others]
        out.append(result)
    return out
