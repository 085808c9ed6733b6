"""A cron trigger's schedule fired: start its workflow once and move the trigger on.

What Mistral's periodic task does for a due trigger (services/periodic.py),
made safe for at-least-once delivery and a crash at any line:

1. read the trigger (consistently, by key); gone, or another trigger of the same
   name: the schedule that fired is an orphan and is deleted;
2. a firing for a time before the trigger's ``next_execution_time`` was counted
   already (a repeat): only make sure the next schedule exists;
3. start the execution whose id is derived from the trigger id and the
   ``next_execution_time`` being fired, through the API's create, which answers
   the existing execution for a known id: a repeat starts nothing new. Its
   description is Mistral's JSON (``triggered_by`` the trigger), its input and
   params the trigger's;
4. move the trigger on with a write conditional on the time it had:
   ``remaining_executions`` minus one, and the trigger deleted at 0 (with its
   schedules), else ``next_execution_time`` = croniter's next after the later of
   now and the fired time (a late firing skips what it missed, as Mistral);
5. make the schedule the new state needs (one-time schedules are chained here).

Starting before moving on means a crash in between repeats step 3, which
finds the execution made; the reverse order could lose a firing.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pynamodb.exceptions import DeleteError, UpdateError

from sirocco.api import executions
from sirocco.api.errors import ApiError
from sirocco.engine import derive_id
from sirocco.persistence.definitions import definition_key
from sirocco.scheduler import triggers
from sirocco.scheduler.crontab import next_time
from sirocco.scheduler.schedules import for_runtime
from sirocco.scheduler.triggers import TIME_FORMAT, CronTriggerFired, TriggerTimes, parse_time

from . import logs
from .runtime import Runtime


def execution_id(trigger_id: str, fired_time: str) -> str:
    """The execution a trigger starts for its time ``fired_time``: the same for every delivery."""
    return derive_id(f"CronTrigger:{trigger_id}@{fired_time}", 0)


def description(trigger_id: str) -> str:
    """Mistral's description of a trigger-started execution (JSON text)."""
    return json.dumps({"description": f"Workflow execution created by cron trigger '({trigger_id})'.",
                       "triggered_by": {"type": "cron_trigger", "id": trigger_id}})


def _model(rt: Runtime) -> Any:
    return rt.definitions.models.definition_kinds["cron_trigger"]


def load(rt: Runtime, project_id: str, name: str) -> Any | None:
    """The stored trigger, read consistently (its times decide what a firing does)."""
    cls = _model(rt)
    pk, sk = definition_key("cron_trigger", project_id, "", name)
    try:
        return cls.get(pk, sk, consistent_read=True)
    except cls.DoesNotExist:
        return None


def fire(rt: Runtime, message: CronTriggerFired) -> str:
    """Handle one firing; returns what happened (for the log and the tests)."""
    schedules = for_runtime(rt)
    ids = {"trigger_id": message.trigger_id, "trigger": message.name, "schedule": message.schedule}
    item = load(rt, message.project_id, message.name)
    if item is None or item.id != message.trigger_id:
        if schedules is not None and message.schedule:
            schedules.delete(message.schedule)
        logs.info("cron trigger gone; its schedule is deleted", **ids)
        return "gone"
    times = TriggerTimes.of(item)
    scheduled = parse_time(message.scheduled_time)  # ValueError: the record fails (a poison message)
    if scheduled < times.next:
        _ensure(rt, schedules, times)
        logs.info("cron trigger firing already counted", scheduled=str(scheduled), next=str(times.next), **ids)
        return "repeat"
    fired_time = item.next_execution_time
    started = _start(rt, item, execution_id(item.id, fired_time), ids)
    after = _advance(rt, item, dt.datetime.fromtimestamp(rt.clock(), dt.timezone.utc).replace(tzinfo=None))
    if after is None:
        if schedules is not None:
            triggers.remove(schedules, times)
        logs.info("cron trigger fired its last execution; deleted", execution_id=started, fired=fired_time, **ids)
        return "last"
    _ensure(rt, schedules, TriggerTimes.of(after))
    logs.info("cron trigger fired", execution_id=started, fired=fired_time, next=after.next_execution_time,
              remaining=after.remaining_executions, **ids)
    return "fired"


def _ensure(rt: Runtime, schedules: Any, times: TriggerTimes) -> None:
    if schedules is not None:
        triggers.ensure(schedules, schedules.queue_arn(rt.queues, rt.queue_settings.timer_queue), times)


def _start(rt: Runtime, item: Any, new_id: str, ids: dict[str, Any]) -> str | None:
    """Create the execution (idempotent by id); a refusal (the workflow's input changed ...)
    is logged and the firing still counts, as in Mistral; other errors fail the record."""
    if item.s3:  # large input or params live in S3: the store brings them back
        item = rt.definitions.get("cron_trigger", item.name, project_id=item.project_id) or item
    body = {"id": new_id, "workflow_id": item.workflow_id, "input": item.workflow_input or "{}",
            "params": item.workflow_params or "{}", "description": description(item.id)}
    try:
        executions.create(rt, body, project_id=item.project_id)
    except ApiError as exc:
        if exc.status >= 500:
            raise
        logs.error("cron trigger could not start its workflow", workflow_id=item.workflow_id,
                   status=exc.status, error=exc.faultstring, **ids)
        return None
    return new_id


def _advance(rt: Runtime, item: Any, now: dt.datetime) -> Any | None:
    """Count the firing and set the next time, conditionally on the time fired; the
    trigger as it is afterwards (None once deleted). A lost race reads the winner's."""
    cls = type(item)
    fired = item.next_execution_time
    remaining = item.remaining_executions
    if remaining is not None and remaining > 0:
        remaining = int(remaining) - 1
    try:
        if remaining == 0:
            item.delete(condition=cls.next_execution_time == fired)
            return None
        upcoming = next_time(item.pattern, max(now, parse_time(fired)))
        actions = [cls.next_execution_time.set(upcoming.strftime(TIME_FORMAT)),
                   cls.updated_at.set(now.strftime(TIME_FORMAT))]
        if remaining is not None:
            actions.append(cls.remaining_executions.set(remaining))
        item.update(actions=actions, condition=cls.next_execution_time == fired)
        return item
    except (UpdateError, DeleteError) as exc:
        if getattr(exc, "cause_response_code", None) != "ConditionalCheckFailedException":
            raise
    return load(rt, item.project_id, item.name)
