"""The events queue's handler: start the workflow of the event trigger a rule matched.

Each record is what a trigger's EventBridge rule delivers through its input
transformer: ``{"trigger_id", "project", "event"}`` (``sirocco.eventbridge``). The
trigger is read again (a deleted trigger starts nothing: its rule may still deliver
for a moment) and its execution is created through the API's own create
(``api.executions.create``) with an id derived from the trigger and the event, so a
duplicate delivery answers the execution already made instead of starting another.

A start the API refuses (the workflow is gone, the mapped input does not fit) is
logged and dropped: delivering it again cannot help. Anything else (DynamoDB or SQS
failing) fails the record, which SQS delivers again; on its last receive it is copied
to the dead-letter queue with the cause (failures.py).
"""

from __future__ import annotations

import json
from typing import Any, Mapping
from urllib.parse import unquote

from sirocco.api import executions
from sirocco.api.errors import ApiError
from sirocco.eventrules import firing
from sirocco.eventrules.pattern import TriggerConfigError
from sirocco.messaging import lambda_events as le

from . import logs
from .failures import Failures
from .runtime import Runtime, get_runtime


class _Refused(Exception):
    """The record can never start anything."""


def _read(record: Mapping[str, Any]) -> tuple[str, str, dict[str, Any]]:
    try:
        body = json.loads(record["body"])
        trigger_id, project, event = body["trigger_id"], unquote(body["project"]), body["event"]
    except (ValueError, KeyError, TypeError) as exc:
        raise _Refused(f"not a trigger delivery: {type(exc).__name__}: {exc}") from None
    if not isinstance(event, dict) or not event.get("id"):
        raise _Refused("the delivered event has no id")
    return str(trigger_id), project, firing.normalized(event)


def fire(rt: Runtime, trigger_id: str, project_id: str, event: Mapping[str, Any]) -> str | None:
    """Start the trigger's execution for ``event`` (or find it started); its id, or None
    when the trigger no longer exists."""
    trigger = rt.definitions.get("event_trigger", trigger_id, project_id=project_id)
    if trigger is None:
        return None
    try:
        body = firing.execution_request(trigger, event)
    except TriggerConfigError as exc:
        raise _Refused(str(exc)) from None
    try:
        _status, execution = executions.create(rt, body, project_id=trigger.project_id)
    except ApiError as exc:
        raise _Refused(f"start refused: {exc}") from None
    return str(execution["id"])


def handle(event: Mapping[str, Any], context: Any = None, runtime: Runtime | None = None) -> dict[str, Any]:
    rt = runtime or get_runtime()
    failures = Failures(rt, "events")
    for record in le.records(event):
        message_id = str(record.get("messageId", ""))
        ids: dict[str, Any] = {"message_id": message_id}
        try:
            trigger_id, project, matched = _read(record)
            ids.update(trigger_id=trigger_id, event_id=matched.get("id"), source=matched.get("source"),
                       detail_type=matched.get("detail-type"))
            execution_id = fire(rt, trigger_id, project, matched)
        except _Refused as exc:
            logs.error("event dropped", cause=str(exc), **ids)
            continue
        except Exception as exc:
            logs.error("event trigger failed; retried", **ids, **logs.exception_fields(exc))
            failures.fail(record, exc, **{k: v for k, v in ids.items() if k != "message_id"})
            continue
        if execution_id is None:
            logs.warning("event for a deleted trigger dropped", **ids)
        else:
            logs.info("event trigger fired", execution_id=execution_id, **ids)
    return failures.response()
