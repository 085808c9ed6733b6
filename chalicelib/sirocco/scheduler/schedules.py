"""The EventBridge Scheduler adapter: create and delete the schedules of Sirocco's group.

Every schedule targets one of the stack's SQS queues (the timer queue) with a
fixed body, fires in UTC with no flexible window, and is assumed by
``SIROCCO_SCHEDULER_ROLE_ARN`` (the template's ``SchedulerRole``, allowed to
send to the queues). Creating is idempotent by name (a schedule that exists is
left as it is), deleting one that is gone is no error: callers run again after
a crash and must not fail on their own earlier work.

EventBridge Scheduler is used when ``SIROCCO_SCHEDULE_GROUP`` and
``SIROCCO_SCHEDULER_ROLE_ARN`` are set (the template sets both for every
function; `sirocco dev` too). Without them long delays hop through the timer
queue 15 minutes at a time and cron triggers are stored but not fired.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any, Mapping

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


@dataclass(frozen=True, slots=True)
class SchedulerSettings:
    group: str | None = None
    role_arn: str | None = None
    region: str = "us-east-1"
    endpoint_url: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "SchedulerSettings":
        env = os.environ if environ is None else environ
        return cls(group=env.get("SIROCCO_SCHEDULE_GROUP") or None,
                   role_arn=env.get("SIROCCO_SCHEDULER_ROLE_ARN") or None,
                   region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
                   endpoint_url=env.get("AWS_ENDPOINT_URL_SCHEDULER") or env.get("AWS_ENDPOINT_URL") or None)

    @property
    def enabled(self) -> bool:
        return bool(self.group and self.role_arn)


def enabled(environ: Mapping[str, str] | None = None) -> bool:
    """Whether this process schedules through EventBridge Scheduler (read at call time)."""
    return SchedulerSettings.from_env(environ).enabled


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class Schedules:
    """The schedule group of one stack."""

    def __init__(self, settings: SchedulerSettings, client: Any | None = None) -> None:
        if not settings.enabled:
            raise ValueError("EventBridge Scheduler needs SIROCCO_SCHEDULE_GROUP and SIROCCO_SCHEDULER_ROLE_ARN")
        self.settings = settings
        self.group: str = settings.group  # type: ignore[assignment]
        self.client = client or boto3.session.Session().client(
            "scheduler", region_name=settings.region, endpoint_url=settings.endpoint_url,
            config=Config(retries={"mode": "standard"}))
        self._arns: dict[str, str] = {}
        self._lock = threading.Lock()

    def queue_arn(self, queues: Any, name: str) -> str:
        """The ARN of queue ``name`` (a target), looked up once per process."""
        arn = self._arns.get(name)
        if arn is None:
            arn = queues.arn(name)
            with self._lock:
                self._arns[name] = arn
        return arn

    def create(self, name: str, expression: str, target_arn: str, body: str, *, once: bool,
               description: str = "") -> bool:
        """Create schedule ``name`` unless it exists; True if this call created it.
        ``once``: a one-time ``at()`` schedule, deleted by EventBridge after it fired."""
        args: dict[str, Any] = {
            "Name": name, "GroupName": self.group, "ScheduleExpression": expression,
            "ScheduleExpressionTimezone": "UTC", "FlexibleTimeWindow": {"Mode": "OFF"}, "State": "ENABLED",
            "Target": {"Arn": target_arn, "RoleArn": self.settings.role_arn, "Input": body},
        }
        if once:
            args["ActionAfterCompletion"] = "DELETE"
        if description:
            args["Description"] = description[:512]
        try:
            self.client.create_schedule(**args)
        except ClientError as exc:
            if _code(exc) == "ConflictException":
                return False
            raise
        return True

    def delete(self, name: str) -> bool:
        """Delete schedule ``name``; False if there was none."""
        try:
            self.client.delete_schedule(GroupName=self.group, Name=name)
        except ClientError as exc:
            if _code(exc) == "ResourceNotFoundException":
                return False
            raise
        return True

    def get(self, name: str) -> dict[str, Any] | None:
        try:
            return dict(self.client.get_schedule(GroupName=self.group, Name=name))
        except ClientError as exc:
            if _code(exc) == "ResourceNotFoundException":
                return None
            raise


_UNSET = object()


def for_runtime(rt: Any) -> Schedules | None:
    """The runtime's schedules (made on first use from the environment), None when
    EventBridge Scheduler is not configured. Tests set ``rt.schedules`` beforehand."""
    found = rt.__dict__.get("schedules", _UNSET)
    if found is _UNSET:
        settings = SchedulerSettings.from_env()
        found = Schedules(settings) if settings.enabled else None
        rt.schedules = found
    return found  # type: ignore[return-value]
