"""Reading one SQS batch: every handler accepts only its own message types."""

from __future__ import annotations

from typing import Any, Mapping

from sirocco.messaging import lambda_events as le
from sirocco.messaging.envelopes import Envelope, EnvelopeError
from sirocco.persistence import records_codec as codec

from . import logs
from .failures import Failures
from .runtime import Runtime


def accept(rt: Runtime, event: Mapping[str, Any], expected: type, role: str, failures: Failures,
           extra: Mapping[str, type] | None = None) -> list[tuple[Mapping[str, Any], Envelope]]:
    """The batch's records whose envelope holds an ``expected`` object (or one of the
    shell's own ``extra`` message types, by type name). The others (unreadable, unknown,
    misrouted) are logged and failed: retried, then dead-lettered with the reason,
    without failing the rest of the batch."""
    accepted: list[tuple[Mapping[str, Any], Envelope]] = []
    for record in le.records(event):
        try:
            envelope = rt.queues.read(record["body"], strict=not extra)
            if envelope.obj is None and extra and envelope.type in extra:
                envelope.obj = codec.build(extra[envelope.type], envelope.fields or {})
            if not isinstance(envelope.obj, (expected, *(extra or {}).values())):
                raise EnvelopeError(f"{envelope.type} is not a {expected.__name__}")
        except Exception as exc:
            logs.error(f"{role} message refused", message_id=record.get("messageId", ""),
                       group=le.group_id(record), **logs.exception_fields(exc))
            failures.fail(record, f"refused: {type(exc).__name__}: {exc}")
            continue
        accepted.append((record, envelope))
    return accepted
