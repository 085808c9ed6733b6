"""A batch's failed messages: retried, or, on their last receive, dead-lettered with
their cause.

A handler reports a message it could not handle as a batch item failure, and SQS
delivers it again. On the receive after which SQS would move it to the dead-letter
queue (``QueueSettings.max_receives``, the template's MaxReceiveCount), the handler
copies it there itself with the cause in its message attributes (messaging/
deadletters.py), writes a ``message dead-lettered`` line and acknowledges it, so an
operator sees why it failed. If the copy cannot be made, the message is failed as
usual and SQS's redrive policy moves it, without a cause.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from sirocco.messaging import deadletters
from sirocco.messaging import lambda_events as le

from . import logs
from .runtime import Runtime


class Failures:
    """The message ids a handler reports failed (``ids``), one batch's worth."""

    def __init__(self, rt: Runtime, handler: str) -> None:
        self.rt = rt
        self.handler = handler
        self.ids: list[str] = []
        self.dead: list[str] = []

    def fail(self, record: Mapping[str, Any], cause: str | BaseException, **fields: Any) -> None:
        """Retry ``record``, or dead-letter it on its last receive."""
        message_id = str(record.get("messageId", ""))
        text = cause if isinstance(cause, str) else f"{type(cause).__name__}: {cause}"
        if deadletters.is_last_attempt(record, self.rt.queue_settings.max_receives) and record.get("body"):
            try:
                dlq = deadletters.copy(self.rt.queues, record, text, self.handler, self.rt.clock())
            except Exception as exc:
                logs.error("could not dead-letter a message; SQS's redrive policy will", message_id=message_id,
                           handler=self.handler, cause=text, **logs.exception_fields(exc), **fields)
            else:
                logs.error("message dead-lettered", message_id=message_id, handler=self.handler, queue=dlq,
                           attempts=le.receive_count(record), cause=text[:deadletters.CAUSE_LIMIT], **fields)
                self.dead.append(message_id)
                return
        self.ids.append(message_id)

    def fail_all(self, records: Iterable[Mapping[str, Any]], cause: str | BaseException, **fields: Any) -> None:
        for record in records:
            self.fail(record, cause, **fields)

    def response(self) -> dict[str, Any]:
        return le.batch_response(self.ids)
