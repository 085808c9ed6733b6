"""Sending to and reading from the SQS queues.

``Queues.send(queue, messages)`` uses SendMessageBatch (10 entries and at most
256 KiB a call), retries entries SQS reports as failed on its side, and puts a
body larger than ``message_limit`` in S3 (the persistence ``PayloadStore``,
content-addressed under ``messages/``) so that the message carries a pointer.
``Queues.read(body)`` turns a body back into an ``Envelope``, fetching an
offloaded one.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from . import envelopes
from .settings import SQS_MESSAGE_LIMIT, QueueSettings

BATCH_MAX = 10  # SendMessageBatch's entry limit
SEND_ATTEMPTS = 4


class QueueMissing(LookupError):
    """No queue of that name exists."""


class SendFailed(RuntimeError):
    """SQS refused some entries of a batch (after retries)."""


@dataclass(slots=True)
class OutMessage:
    """One message to send. ``group_id`` and ``dedup_id`` are for FIFO queues;
    ``delay`` (seconds, standard queues only) postpones delivery."""

    body: str
    group_id: str | None = None
    dedup_id: str | None = None
    delay: int = 0


def sqs_client(settings: QueueSettings) -> Any:
    return boto3.session.Session().client(
        "sqs", region_name=settings.region, endpoint_url=settings.endpoint_url,
        config=Config(retries={"mode": "standard"}, max_pool_connections=32))


def _size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8"))


class Queues:
    """The SQS side of the shell. ``payloads`` (a persistence ``PayloadStore``)
    holds large bodies; it is made on first use when not given."""

    def __init__(self, settings: QueueSettings | None = None, client: Any | None = None,
                 payloads: Any | None = None, payloads_factory: Callable[[], Any] | None = None) -> None:
        self.settings = settings or QueueSettings.from_env()
        self.client = client or sqs_client(self.settings)
        self._payloads = payloads
        self._payloads_factory = payloads_factory
        self._urls: dict[str, str] = {}
        self._lock = threading.Lock()
        self.sent = 0  # messages sent (for tests and figures)
        self.calls = 0  # SendMessageBatch calls
        self.offloaded = 0  # bodies put in S3

    # ---- payloads

    @property
    def payloads(self) -> Any:
        if self._payloads is None:
            if self._payloads_factory is not None:
                self._payloads = self._payloads_factory()
            else:
                from sirocco.persistence import PayloadStore, Settings

                self._payloads = PayloadStore(Settings.from_env())
        return self._payloads

    # ---- queue urls

    def url(self, name: str) -> str:
        url = self._urls.get(name)
        if url is None:
            try:
                url = self.client.get_queue_url(QueueName=name)["QueueUrl"]
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code", "")
                if "NonExistentQueue" in code or "QueueDoesNotExist" in code:
                    raise QueueMissing(name) from None
                raise
            with self._lock:
                self._urls[name] = url
        return url

    def arn(self, name: str) -> str:
        """The queue's ARN (the ``eventSourceARN`` of the records Lambda delivers)."""
        attrs = self.client.get_queue_attributes(QueueUrl=self.url(name), AttributeNames=["QueueArn"])
        return attrs["Attributes"]["QueueArn"]

    # ---- sending

    def _fit(self, body: str) -> str:
        if _size(body) <= self.settings.message_limit:
            return body
        key = self.payloads.put("messages", body.encode("utf-8"))
        self.offloaded += 1
        return json.dumps({"v": envelopes.ENVELOPE_VERSION, "s3": key})

    def send(self, queue: str, messages: Iterable[OutMessage]) -> int:
        """Send ``messages`` to queue ``queue`` (a name); returns the number sent.
        Raises ``QueueMissing`` or ``SendFailed``; on failure some messages may
        have been sent (receivers are idempotent, the caller retries them all)."""
        url = self.url(queue)
        fifo = queue.endswith(".fifo")
        entries: list[dict[str, Any]] = []
        for message in messages:
            entry: dict[str, Any] = {"MessageBody": self._fit(message.body)}
            if fifo:
                entry["MessageGroupId"] = message.group_id or "default"
                if message.dedup_id:
                    entry["MessageDeduplicationId"] = message.dedup_id
            elif message.delay > 0:
                entry["DelaySeconds"] = min(int(message.delay), self.settings.max_delay)
            entries.append(entry)
        for chunk in self._chunks(entries):
            self._send_batch(url, chunk)
        self.sent += len(entries)
        return len(entries)

    @staticmethod
    def _chunks(entries: Sequence[dict[str, Any]]) -> Iterable[list[dict[str, Any]]]:
        """At most 10 entries and 256 KiB of bodies per call."""
        chunk: list[dict[str, Any]] = []
        size = 0
        for entry in entries:
            n = _size(entry["MessageBody"]) + 200  # ids and attributes, roughly
            if chunk and (len(chunk) == BATCH_MAX or size + n > SQS_MESSAGE_LIMIT):
                yield chunk
                chunk, size = [], 0
            chunk.append(entry)
            size += n
        if chunk:
            yield chunk

    def _send_batch(self, url: str, chunk: list[dict[str, Any]]) -> None:
        pending = {str(i): dict(entry, Id=str(i)) for i, entry in enumerate(chunk)}
        for attempt in range(SEND_ATTEMPTS):
            self.calls += 1
            response = self.client.send_message_batch(QueueUrl=url, Entries=list(pending.values()))
            failed = response.get("Failed") or []
            if not failed:
                return
            sender = [f for f in failed if f.get("SenderFault")]
            if sender:
                raise SendFailed(f"SQS refused {len(sender)} message(s): {sender[0].get('Code')}: "
                                 f"{sender[0].get('Message')}")
            pending = {f["Id"]: pending[f["Id"]] for f in failed}
            time.sleep(0.05 * 2 ** attempt)
        raise SendFailed(f"SQS failed {len(pending)} message(s) after {SEND_ATTEMPTS} attempts")

    # ---- reading

    def read(self, body: str, *, strict: bool = True) -> envelopes.Envelope:
        """The envelope of a received body (an S3 pointer is followed)."""
        data = envelopes.parse(body)
        key = envelopes.pointer(data)
        if key is not None:
            data = envelopes.parse(self.payloads.get(key).decode("utf-8"))
        return envelopes.from_data(data, strict=strict)
