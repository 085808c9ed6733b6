"""Local EventBridge Scheduler: fire the schedules of Sirocco's schedule group
when they are due (the emulator stores schedules but never fires them).

Every ``interval`` seconds the loop lists the group's schedules and delivers the
due ones to their target, as EventBridge Scheduler would:

- ``at(yyyy-mm-ddThh:mm:ss)`` in ``ScheduleExpressionTimezone`` (UTC by default):
  fired once; deleted afterwards when ``ActionAfterCompletion`` is ``DELETE``;
- ``rate(n minute|minutes|hour|hours|day|days)``: every n units from
  ``StartDate`` (or from when the loop first saw it), until ``EndDate``;
- ``cron(...)``: recurring cron triggers come with issue 6; until then they are
  reported once and not fired.

Targets: an SQS queue ARN receives ``Input`` as the message body (with
``SqsParameters.MessageGroupId`` and a deduplication id for a FIFO queue). Other
targets (Lambda, EventBridge) are reported once and skipped.

Not for AWS: there EventBridge Scheduler fires schedules itself, so `sirocco
dev` runs this loop only on the embedded emulator and on ``--endpoint`` (which
may not fire them either).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import threading
import time
from typing import Any, Callable
from zoneinfo import ZoneInfo

from botocore.exceptions import ClientError

log = logging.getLogger("sirocco.dev")

_AT = re.compile(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")
_RATE = re.compile(r"^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$")
_UNIT = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}


def _timestamp(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.timestamp()
    return float(value)


def at_time(expression: str, timezone: str | None) -> float | None:
    """The epoch second of an ``at()`` expression, None for other expressions."""
    match = _AT.match(expression.strip())
    if not match:
        return None
    local = dt.datetime.fromisoformat(match.group(1)).replace(tzinfo=ZoneInfo(timezone or "UTC"))
    return local.timestamp()


def rate_seconds(expression: str) -> int | None:
    match = _RATE.match(expression.strip())
    if not match:
        return None
    return int(match.group(1)) * _UNIT[match.group(2)]


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
        self._next_rate: dict[str, float] = {}
        self._reported: set[str] = set()
        self._queue_urls: dict[str, str] = {}
        self.fired = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)

    def start(self) -> "SchedulerLoop":
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.tick()
            except Exception:  # noqa: BLE001 - keep firing; the emulator may be stopping
                if self._stop.is_set():
                    break
                log.exception("scheduler: could not read schedules")

    # -- one pass

    def tick(self) -> int:
        """Fire what is due now; the number fired."""
        now = self._clock()
        fired = 0
        seen = set()
        paginator = self._scheduler.get_paginator("list_schedules")
        for page in paginator.paginate(GroupName=self.group):
            for summary in page.get("Schedules", []):
                name = summary["Name"]
                seen.add(name)
                if summary.get("State", "ENABLED") != "ENABLED":
                    continue
                schedule = self._schedule(name, summary.get("LastModificationDate"))
                if schedule is not None and self._due(schedule, now):
                    fired += self._fire(schedule, now)
        for name in set(self._details) - seen:
            self._details.pop(name, None)
            self._next_rate.pop(name, None)
        return fired

    def _schedule(self, name: str, modified: Any) -> dict[str, Any] | None:
        cached = self._details.get(name)
        if cached is not None and cached[0] == modified and modified is not None:
            return cached[1]
        try:
            schedule = self._scheduler.get_schedule(GroupName=self.group, Name=name)
        except ClientError:
            return None
        self._details[name] = (modified, schedule)
        return schedule

    def _due(self, schedule: dict[str, Any], now: float) -> bool:
        name, expression = schedule["Name"], schedule.get("ScheduleExpression", "")
        start, end = _timestamp(schedule.get("StartDate")), _timestamp(schedule.get("EndDate"))
        if end is not None and now > end:
            return False
        moment = at_time(expression, schedule.get("ScheduleExpressionTimezone"))
        if moment is not None:
            return now >= moment and (name, moment) not in self._fired_once
        every = rate_seconds(expression)
        if every is not None:
            first = start if start is not None else now
            next_at = self._next_rate.setdefault(name, first)
            return now >= next_at
        self._report(name, f"schedule {name}: {expression!r} is not fired locally yet (cron: issue 6)")
        return False

    def _fire(self, schedule: dict[str, Any], now: float) -> int:
        name, target = schedule["Name"], schedule.get("Target") or {}
        moment = at_time(schedule.get("ScheduleExpression", ""), schedule.get("ScheduleExpressionTimezone"))
        arn = target.get("Arn", "")
        delivered = False
        if ":sqs:" in arn:
            delivered = self._send_to_queue(arn, target, name, moment if moment is not None else now)
            self.fired += int(delivered)  # counted before the schedule is deleted
        else:
            self._report(name, f"schedule {name}: target {arn} is not delivered locally (SQS targets only)")
        if moment is not None:
            self._fired_once.add((name, moment))
            if schedule.get("ActionAfterCompletion") == "DELETE":
                try:
                    self._scheduler.delete_schedule(GroupName=self.group, Name=name)
                except ClientError as exc:
                    log.warning("scheduler: could not delete %s: %s", name, exc)
        else:
            every = rate_seconds(schedule.get("ScheduleExpression", "")) or 60
            next_at = self._next_rate.get(name, now)
            while next_at <= now:
                next_at += every
            self._next_rate[name] = next_at
        return int(delivered)

    def _send_to_queue(self, arn: str, target: dict[str, Any], name: str, moment: float) -> bool:
        queue_name = arn.rsplit(":", 1)[-1]
        url = self._queue_urls.get(queue_name)
        if url is None:
            url = self._queue_urls[queue_name] = self._sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
        args: dict[str, Any] = {"QueueUrl": url, "MessageBody": target.get("Input") or "{}"}
        if queue_name.endswith(".fifo"):
            group = (target.get("SqsParameters") or {}).get("MessageGroupId") or name
            args["MessageGroupId"] = group
            args["MessageDeduplicationId"] = hashlib.sha256(f"{self.group}/{name}/{moment}".encode()).hexdigest()
        try:
            self._sqs.send_message(**args)
        except ClientError as exc:
            log.warning("scheduler: %s could not be delivered to %s: %s", name, queue_name, exc)
            return False
        log.debug("scheduler: fired %s to %s", name, queue_name)
        return True

    def _report(self, key: str, message: str) -> None:
        if key not in self._reported:
            self._reported.add(key)
            log.warning("scheduler: %s", message)
