"""Reading one SQS batch: every handler accepts only its own message type."""

from __future__ import annotations

from typing import Any, Mapping

from sirocco.messaging import lambda_events as le
from sirocco.messaging.envelopes import Envelope, EnvelopeError

from . import logs
from .runtime import Runtime


def accept(rt: Runtime, event: Mapping[str, Any], expected: type, role: str
           ) -> tuple[list[tuple[Mapping[str, Any], Envelope]], list[str]]:
    """The batch's records whose envelope holds an ``expected`` object, and the message
    ids of the others (unreadable, unknown, misrouted), each logged: they are reported as
    batch item failures and end in the dead-letter queue instead of failing the batch."""
    accepted: list[tuple[Mapping[str, Any], Envelope]] = []
    failed: list[str] = []
    for record in le.records(event):
        try:
            envelope = rt.queues.read(record["body"])
            if not isinstance(envelope.obj, expected):
                raise EnvelopeError(f"{envelope.type} is not a {expected.__name__}")
        except Exception as exc:
            logs.error(f"{role} message refused", message_id=record.get("messageId", ""),
                       group=le.group_id(record), **logs.exception_fields(exc))
            failed.append(record.get("messageId", ""))
            continue
        accepted.append((record, envelope))
    return accepted, failed
