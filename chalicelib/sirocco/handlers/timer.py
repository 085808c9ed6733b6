"""The timer queue's handler: delayed calls and cron trigger firings.

The timer queue (standard: per-message delays) carries three bodies:

- ``ScheduleCall``: due (less than a second early) -> ``CallFired`` to the engine
  queue, in the execution's group, with an id derived from the call id (a repeat
  dedupes, and the engine ignores a call that is fired or whose task moved on);
  due within SQS's 15 minutes -> sent to the timer queue again with the remaining
  delay; further off -> the one-time EventBridge Scheduler schedule ``at(due)``
  named after the call, whose target is this queue and whose body is this very
  message (``scheduler/calls.py``; without a schedule group, hops of 900 s);
- ``CancelCall``: the call's schedule, if any, is deleted (a missing one is fine);
- ``CronTriggerFired``: a cron trigger's schedule fired (``cron_triggers.fire``);
- ``Sweep``: the sweeper's schedule fired (``sweeper.sweep``).

Every step is safe to repeat: schedules are named, creating one that exists
and deleting one that is gone are no errors.
"""

from __future__ import annotations

from typing import Any, Mapping

from sirocco.engine import CallFired, CancelCall, ScheduleCall
from sirocco.messaging import envelopes
from sirocco.messaging import lambda_events as le
from sirocco.messaging.envelopes import Envelope, EnvelopeError
from sirocco.messaging.queues import OutMessage
from sirocco.messaging.routing import call_delay, call_fired_id, engine_message
from sirocco.scheduler import calls
from sirocco.scheduler.schedules import for_runtime
from sirocco.scheduler.triggers import CronTriggerFired

from . import cron_triggers, logs, sweeper
from .failures import Failures
from .runtime import Runtime, get_runtime
from .sweeper import Sweep

#: a call delivered less than this before its due time fires (SQS delays have 1 s granularity)
EARLY = 1.0


def _read(rt: Runtime, record: Mapping[str, Any]) -> Envelope:
    """The record's envelope; a ``CronTriggerFired`` comes back built in ``obj``."""
    envelope = rt.queues.read(record["body"], strict=False)
    if envelope.obj is None and envelope.type == CronTriggerFired.__name__:
        known = {k: v for k, v in (envelope.fields or {}).items() if k in CronTriggerFired.__dataclass_fields__}
        envelope.obj = CronTriggerFired(**{k: str(v) for k, v in known.items()})
    elif envelope.obj is None and envelope.type == Sweep.__name__:
        envelope.obj = Sweep()
    if not isinstance(envelope.obj, (ScheduleCall, CancelCall, CronTriggerFired, Sweep)):
        raise EnvelopeError(f"{envelope.type} is not a message of the timer queue")
    return envelope


def handle(event: Mapping[str, Any], context: Any = None, runtime: Runtime | None = None) -> dict[str, Any]:
    rt = runtime or get_runtime()
    failures = Failures(rt, "timer")
    fire: list[tuple[Mapping[str, Any], OutMessage]] = []
    again: list[tuple[Mapping[str, Any], OutMessage]] = []
    now = rt.clock()
    for record in le.records(event):
        message_id = record.get("messageId", "")
        try:
            envelope = _read(rt, record)
        except Exception as exc:
            logs.error("timer message refused", message_id=message_id, **logs.exception_fields(exc))
            failures.fail(record, f"refused: {type(exc).__name__}: {exc}")
            continue
        obj = envelope.obj
        try:
            if isinstance(obj, ScheduleCall):
                _schedule_call(rt, obj, envelope, record, now, fire, again)
            elif isinstance(obj, CancelCall):
                _cancel_call(rt, obj)
            elif isinstance(obj, Sweep):
                sweeper.sweep(rt, now=now, budget=_budget(context))
            else:
                cron_triggers.fire(rt, obj)
        except Exception as exc:
            logs.error("timer message failed; retried", message_id=message_id, type=envelope.type,
                       **logs.exception_fields(exc))
            failures.fail(record, exc)
    for queue, batch in ((rt.queue_settings.engine_queue, fire), (rt.queue_settings.timer_queue, again)):
        if not batch:
            continue
        try:
            rt.queues.send(queue, [m for _, m in batch])
        except Exception as exc:
            logs.error("could not send; retried", queue=queue, messages=len(batch), **logs.exception_fields(exc))
            failures.fail_all([record for record, _ in batch], exc)
    return failures.response()


def _budget(context: Any) -> float | None:
    """Seconds a sweep may take: the Lambda's remaining time, less a margin to send."""
    get = getattr(context, "get_remaining_time_in_millis", None)
    return None if get is None else max(1.0, get() / 1000.0 - 5.0)


def _schedule_call(rt: Runtime, cmd: ScheduleCall, envelope: Envelope, record: Mapping[str, Any], now: float,
                   fire: list[tuple[Mapping[str, Any], OutMessage]],
                   again: list[tuple[Mapping[str, Any], OutMessage]]) -> None:
    ids = {"execution_id": cmd.execution_id, "call_id": cmd.call_id, "kind": cmd.kind}
    left = cmd.due - now
    if left < EARLY:
        fire.append((record, engine_message(CallFired(call_fired_id(cmd.call_id), now, call_id=cmd.call_id),
                                                cmd.execution_id)))
        logs.info("call fired", late=round(-left, 3), **ids)
        return
    body = envelopes.encode(cmd, envelope.meta or None)
    schedules = for_runtime(rt) if left > rt.queue_settings.max_delay else None
    if schedules is None:
        delay = call_delay(cmd.due, now, rt.queue_settings.max_delay)
        again.append((record, OutMessage(body, delay=delay)))
        logs.info("call not due; delayed again", due_in=round(left, 3), delay=delay, **ids)
        return
    name = calls.schedule_name(cmd.execution_id, cmd.call_id)
    target = schedules.queue_arn(rt.queues, rt.queue_settings.timer_queue)
    created = schedules.create(name, calls.at_for(cmd.due), target, body, once=True,
                               description=f"sirocco {cmd.kind} call {cmd.call_id} of execution {cmd.execution_id}")
    logs.info("call scheduled", due_in=round(left, 3), schedule=name, created=created, **ids)


def _cancel_call(rt: Runtime, cmd: CancelCall) -> None:
    schedules = for_runtime(rt)
    if schedules is None:
        return
    name = calls.schedule_name(cmd.execution_id, cmd.call_id)
    deleted = schedules.delete(name)
    logs.info("call cancelled", execution_id=cmd.execution_id, call_id=cmd.call_id, schedule=name,
              deleted=deleted)
