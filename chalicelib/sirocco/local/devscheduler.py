"""Local EventBridge Scheduler: fire the schedules of Sirocco's schedule group
when they are due (the emulator stores schedules but never fires them).

The loop lists the group's schedules every ``interval`` seconds and, in
between, sleeps until the next due moment it knows, so a schedule fires within
milliseconds of its time rather than up to an interval late. It delivers each
due schedule to its target, as EventBridge Scheduler would:

- ``at(yyyy-mm-ddThh:mm:ss)`` in ``ScheduleExpressionTimezone`` (UTC by default):
  fired once; deleted afterwards when ``ActionAfterCompletion`` is ``DELETE``;
- ``rate(n minute|minutes|hour|hours|day|days)``: every n units from
  ``StartDate`` (or from when the loop first saw it), until ``EndDate``;
- ``cron(...)``: at the times EventBridge's cron syntax gives
  (``sirocco.scheduler.expressions``), counted from ``StartDate`` or from when the
  loop first saw the schedule. When the clock jumps past several times, one
  firing is delivered, for the first time missed (EventBridge would deliver each).

Targets: an SQS queue ARN receives ``Input`` as the message body, with
EventBridge's context attributes filled in (``<aws.scheduler.scheduled-time>``,
``<aws.scheduler.schedule-arn>``, ``<aws.scheduler.execution-id>``,
``<aws.scheduler.attempt-number>``), and ``SqsParameters.MessageGroupId`` and a
deduplication id for a FIFO queue. Other targets (Lambda, EventBridge) are
reported once and skipped.

Time is the loop's ``clock``; `sirocco dev` gives it a ``DevClock``, wall time
plus an offset that tests move forward (``DevStack.advance_clock``, the
loopback route ``/_dev/clock``) so that an hour's wait is a call away.

Not for AWS: there EventBridge Scheduler fires schedules itself, so `sirocco
dev` runs this loop only on the embedded emulator and on ``--endpoint`` (which
may not fire them either).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
import time
import uuid
from typing import Any, Callable

from botocore.exceptions import ClientError

from sirocco.metering import meter
from sirocco.scheduler.expressions import at_time, cron_next, rate_seconds

__all__ = ["DevClock", "SchedulerLoop", "at_time", "rate_seconds"]

log = logging.getLogger("sirocco.dev")


class DevClock:
    """`sirocco dev`'s clock: wall time plus an offset that only moves forward.

    The handlers' ``Runtime.clock`` and the scheduler loop read it, so moving it
    makes due what a long wait or a cron trigger scheduled. SQS message delays
    and visibility timeouts keep wall time (the emulator's own clock)."""

    def __init__(self, offset: float = 0.0) -> None:
        self._offset = float(offset)
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return time.time() + self._offset

    @property
    def offset(self) -> float:
        return self._offset

    def advance(self, seconds: float) -> float:
        """Move the clock ``seconds`` forward; the new offset."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += float(seconds)
            return self._offset


def _timestamp(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.timestamp()
    return float(value)


def _iso(moment: float) -> str:
    return dt.datetime.fromtimestamp(int(moment), dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class SchedulerLoop:
    """Fires the due schedules of one group through boto3 clients."""

    def __init__(self, group: str, scheduler_client: Any, sqs_client: Any, *, interval: float = 1.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.group = group
        self._scheduler = scheduler_client
        self._sqs = sqs_client
        self.interval = interval
        self._clock = clock
        self._details: dict[str, tuple[Any, dict[str, Any]]] = {}  # name -> (modified, schedule)
        self._fired_once: set[tuple[str, float]] = set()
        self._next: dict[str, float] = {}  # rate() and cron(): name -> next firing
        self._reported: set[str] = set()
        self._queue_urls: dict[str, str] = {}
        self.fired = 0
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)

    def start(self) -> "SchedulerLoop":
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def wake(self) -> None:
        """Look at the due times again now (the clock moved)."""
        self._wake.set()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        next_list = 0.0
        while not self._stop.is_set():
            try:
                if time.monotonic() >= next_list:
                    self.tick()
                    next_list = time.monotonic() + self.interval
                else:
                    with self._lock:
                        self._fire_due(confirm=True)
                wait = min(next_list - time.monotonic(), self._seconds_to_due())
            except Exception:  # noqa: BLE001 - keep firing; the emulator may be stopping
                if self._stop.is_set():
                    break
                log.exception("scheduler: could not read schedules")
                wait = self.interval
            self._wake.wait(max(0.0, wait))
            self._wake.clear()

    # -- passes

    def tick(self) -> int:
        """List the group's schedules, then fire what is due now; the number fired."""
        with self._lock:
            self._refresh()
            return self._fire_due(confirm=False)

    def observe(self) -> None:
        """List the group's schedules and fix where new ``rate``/``cron`` ones count
        from, without firing: called before the clock jumps, so that a schedule made
        just before the jump fires at its first time after it."""
        with self._lock:
            self._refresh()

    def _refresh(self) -> None:
        seen = set()
        paginator = self._scheduler.get_paginator("list_schedules")
        for page in paginator.paginate(GroupName=self.group):
            for summary in page.get("Schedules", []):
                name = summary["Name"]
                seen.add(name)
                schedule = self._schedule(name, summary.get("LastModificationDate"))
                if schedule is not None:
                    self._due_at(schedule, self._clock())
        for name in set(self._details) - seen:
            self._forget(name)

    def _forget(self, name: str) -> None:
        self._details.pop(name, None)
        self._next.pop(name, None)

    def _schedule(self, name: str, modified: Any) -> dict[str, Any] | None:
        cached = self._details.get(name)
        if cached is not None and cached[0] == modified and modified is not None:
            return cached[1]
        try:
            schedule = self._scheduler.get_schedule(GroupName=self.group, Name=name)
        except ClientError:
            return None
        if cached is not None and cached[1].get("ScheduleExpression") != schedule.get("ScheduleExpression"):
            self._next.pop(name, None)
        self._details[name] = (modified, schedule)
        return schedule

    def _seconds_to_due(self) -> float:
        """Seconds until the earliest due time known (the interval if none)."""
        with self._lock:
            now = self._clock()
            dues = [self._due_at(s, now) for _, s in self._details.values()]
        known = [d - now for d in dues if d is not None]
        return min([self.interval, *known])

    def _fire_due(self, *, confirm: bool) -> int:
        """Fire every cached schedule that is due; ``confirm``: read it again first
        (between listings it may have been deleted, a cancelled call's say)."""
        fired = 0
        now = self._clock()
        for name, (_, schedule) in list(self._details.items()):
            due = self._due_at(schedule, now)
            if due is None or now < due:
                continue
            if confirm:
                try:
                    schedule = self._scheduler.get_schedule(GroupName=self.group, Name=name)
                except ClientError:
                    self._forget(name)
                    continue
            fired += self._fire(schedule, due, now)
        return fired

    def _due_at(self, schedule: dict[str, Any], now: float) -> float | None:
        """When the schedule fires next (None: never again, disabled or not understood)."""
        name, expression = schedule["Name"], schedule.get("ScheduleExpression", "")
        if schedule.get("State", "ENABLED") != "ENABLED":
            return None
        start, end = _timestamp(schedule.get("StartDate")), _timestamp(schedule.get("EndDate"))
        moment = at_time(expression, schedule.get("ScheduleExpressionTimezone"))
        if moment is not None:
            return None if (name, moment) in self._fired_once else moment
        if name not in self._next:
            base = max(now, start) if start is not None else now
            every = rate_seconds(expression)
            if every is not None:
                self._next[name] = base
            elif expression.startswith("cron("):
                try:
                    upcoming = cron_next(expression, base - 1e-3, schedule.get("ScheduleExpressionTimezone"))
                except ValueError as exc:
                    self._report(name, f"schedule {name}: {expression!r} is not understood: {exc}")
                    return None
                if upcoming is None:
                    return None
                self._next[name] = upcoming
            else:
                self._report(name, f"schedule {name}: {expression!r} is not understood")
                return None
        due = self._next[name]
        return None if end is not None and due > end else due

    def _fire(self, schedule: dict[str, Any], due: float, now: float) -> int:
        name, target = schedule["Name"], schedule.get("Target") or {}
        expression = schedule.get("ScheduleExpression", "")
        arn = target.get("Arn", "")
        delivered = False
        if ":sqs:" in arn:
            delivered = self._send_to_queue(arn, target, schedule, due)
            self.fired += int(delivered)  # counted before the schedule is deleted
        else:
            self._report(name, f"schedule {name}: target {arn} is not delivered locally (SQS targets only)")
        if at_time(expression, schedule.get("ScheduleExpressionTimezone")) is not None:
            self._fired_once.add((name, due))
            if schedule.get("ActionAfterCompletion") == "DELETE":
                try:
                    self._scheduler.delete_schedule(GroupName=self.group, Name=name)
                except ClientError as exc:
                    log.warning("scheduler: could not delete %s: %s", name, exc)
                self._forget(name)
        elif expression.startswith("cron("):
            following = cron_next(expression, now, schedule.get("ScheduleExpressionTimezone"))
            if following is None:
                self._report(name, f"schedule {name}: {expression!r} fires no more")
                self._next[name] = float("inf")
            else:
                self._next[name] = following
        else:
            every = rate_seconds(expression) or 60
            next_at = self._next.get(name, now)
            while next_at <= now:
                next_at += every
            self._next[name] = next_at
        return int(delivered)

    def _input(self, target: dict[str, Any], schedule: dict[str, Any], due: float) -> str:
        """The target's ``Input`` with EventBridge Scheduler's context attributes filled in."""
        text = target.get("Input") or "{}"
        if "<aws.scheduler." not in text:
            return text
        arn = schedule.get("Arn") or f"arn:aws:scheduler:::schedule/{self.group}/{schedule['Name']}"
        for key, value in (("scheduled-time", _iso(due)), ("schedule-arn", arn),
                           ("execution-id", uuid.uuid4().hex[:16]), ("attempt-number", "1")):
            text = text.replace(f"<aws.scheduler.{key}>", value)
        return text

    def _send_to_queue(self, arn: str, target: dict[str, Any], schedule: dict[str, Any], due: float) -> bool:
        name = schedule["Name"]
        queue_name = arn.rsplit(":", 1)[-1]
        url = self._queue_urls.get(queue_name)
        if url is None:
            url = self._queue_urls[queue_name] = self._sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
        args: dict[str, Any] = {"QueueUrl": url, "MessageBody": self._input(target, schedule, due)}
        if queue_name.endswith(".fifo"):
            group = (target.get("SqsParameters") or {}).get("MessageGroupId") or name
            args["MessageGroupId"] = group
            args["MessageDeduplicationId"] = hashlib.sha256(f"{self.group}/{name}/{due}".encode()).hexdigest()
        try:
            self._sqs.send_message(**args)
        except ClientError as exc:
            log.warning("scheduler: %s could not be delivered to %s: %s", name, queue_name, exc)
            return False
        meter.schedule_fired(args)  # EventBridge Scheduler bills each firing
        log.debug("scheduler: fired %s to %s", name, queue_name)
        return True

    def _report(self, key: str, message: str) -> None:
        if key not in self._reported:
            self._reported.add(key)
            log.warning("scheduler: %s", message)
