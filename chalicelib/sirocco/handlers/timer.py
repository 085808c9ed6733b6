"""The timer queue's handler: fire delayed calls when they come due.

A ``ScheduleCall`` travels on the standard timer queue with an SQS delay (at
most 900 s; FIFO queues have no per-message delay). When it arrives:
due (within a second) -> ``CallFired`` goes to the engine queue, in the
execution's group, with an id derived from the call id (a repeat dedupes);
not due yet (a delay longer than 900 s, or an early delivery) -> the message
is sent again to the timer queue with the remaining delay, in hops of at
most 900 s. (EventBridge Scheduler one-time schedules for long delays: issue 6.)
"""

from __future__ import annotations

from typing import Any, Mapping

from sirocco.engine import CallFired, ScheduleCall
from sirocco.messaging import envelopes
from sirocco.messaging import lambda_events as le
from sirocco.messaging.queues import OutMessage
from sirocco.messaging.routing import call_delay, call_fired_id, engine_message

from . import inbox, logs
from .runtime import Runtime, get_runtime

#: a call delivered less than this before its due time fires (SQS delays have 1 s granularity)
EARLY = 1.0


def handle(event: Mapping[str, Any], context: Any = None, runtime: Runtime | None = None) -> dict[str, Any]:
    rt = runtime or get_runtime()
    accepted, failed = inbox.accept(rt, event, ScheduleCall, "timer")
    fire: list[tuple[str, OutMessage]] = []
    again: list[tuple[str, OutMessage]] = []
    now = rt.clock()
    for record, envelope in accepted:
        message_id = record.get("messageId", "")
        cmd = envelope.obj
        ids = {"execution_id": cmd.execution_id, "call_id": cmd.call_id, "kind": cmd.kind}
        if cmd.due - now >= EARLY:
            delay = call_delay(cmd.due, now, rt.queue_settings.max_delay)
            again.append((message_id, OutMessage(envelopes.encode(cmd, envelope.meta or None), delay=delay)))
            logs.info("call not due; delayed again", due_in=round(cmd.due - now, 3), delay=delay, **ids)
        else:
            fire.append((message_id, engine_message(CallFired(call_fired_id(cmd.call_id), now, call_id=cmd.call_id),
                                                    cmd.execution_id)))
            logs.info("call fired", late=round(now - cmd.due, 3), **ids)
    for queue, batch in ((rt.queue_settings.engine_queue, fire), (rt.queue_settings.timer_queue, again)):
        if not batch:
            continue
        try:
            rt.queues.send(queue, [m for _, m in batch])
        except Exception as exc:
            logs.error("could not send; retried", queue=queue, messages=len(batch), **logs.exception_fields(exc))
            failed.extend(message_id for message_id, _ in batch)
    return le.batch_response(failed)
