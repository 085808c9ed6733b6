"""``/v2/cron_triggers``: start a workflow on a cron pattern (storage and API).

Checked as Mistral checks them: a pattern croniter accepts, or a first
execution time (``YYYY-MM-DD HH:MM``, at least a minute ahead), a count of at
least 1 (more than 1 needs a pattern), a workflow that exists (by id, or by
name in the default namespace) and an input that fits it. The trigger keeps
what firing needs: the workflow's id and name, input, params, pattern, the
next time (UTC, computed with croniter from the request's time) and the
remaining count. With a schedule group configured, each trigger has its
EventBridge Scheduler schedule (``scheduler/triggers.py``), made before the
trigger is stored (an orphan left by a crash finds no trigger when it fires and
is deleted) and deleted with it; ``handlers/cron_triggers.py`` fires it.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any, Mapping

from croniter import croniter

from sirocco.engine.action_runs import InputError, bind_input
from sirocco.persistence.definitions import DuplicateDefinition
from sirocco.persistence.settings import DEFAULT_PROJECT
from sirocco.scheduler import triggers
from sirocco.scheduler.schedules import for_runtime

from . import definition_views, resource_body, views, workflows
from .errors import bad_request, conflict, not_found
from .listing import ListQuery, listing

COLUMNS = ("id", "name", "workflow_name", "workflow_id", "workflow_input", "workflow_params", "project_id",
           "scope", "pattern", "remaining_executions", "first_execution_time", "next_execution_time",
           "created_at", "updated_at")
FILTERS = COLUMNS[1:]
T, J = resource_body.TEXT, resource_body.JSON
BODY = {"id": T, "name": T, "workflow_name": T, "workflow_id": T, "workflow_input": J, "workflow_params": J,
        "project_id": T, "scope": resource_body.SCOPE, "pattern": T, "remaining_executions": resource_body.COUNT,
        "first_execution_time": T, "next_execution_time": T, "created_at": T, "updated_at": T}
NEVER = "0 0 30 2 0"  # Mistral's pattern of a trigger given only a first time: February 30th
FIRST_TIME_FORMAT = "%Y-%m-%d %H:%M"


def next_time(pattern: str, after: datetime.datetime) -> datetime.datetime:
    """The first time ``pattern`` fires after ``after`` (naive UTC)."""
    return croniter(pattern, after).get_next(datetime.datetime)


def _utc_now(rt: Any) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(rt.clock(), datetime.timezone.utc).replace(tzinfo=None)


def _schedule(values: Mapping[str, Any], now: datetime.datetime) -> tuple[str | None, datetime.datetime | None,
                                                                           datetime.datetime, int | None]:
    """Pattern, first time, next time and count of a new trigger; 400 as Mistral words it."""
    pattern, count, first = values.get("pattern"), values.get("remaining_executions"), None
    if values.get("first_execution_time"):
        try:
            first = datetime.datetime.strptime(values["first_execution_time"], FIRST_TIME_FORMAT)
        except ValueError as exc:
            raise bad_request(str(exc)) from None
    if not (first or pattern):
        raise bad_request("Pattern or first_execution_time must be specified.")
    if first:
        if now + datetime.timedelta(seconds=60) > first:
            raise bad_request("first_execution_time must be at least 1 minute in the future.")
        if not pattern and count and count > 1:
            raise bad_request("Pattern must be provided if count is superior to 1.")
    if pattern:
        try:
            croniter(pattern)
        except (ValueError, KeyError):
            raise bad_request(f"The specified pattern is not valid: {pattern}") from None
    if first:
        return pattern, first, first, count if (pattern or count) else 1
    try:
        return pattern, None, next_time(pattern, now), count
    except (ValueError, KeyError):  # a valid pattern that never fires, such as February 30th
        raise bad_request(f"The specified pattern is not valid: {pattern} (it never fires)") from None


def check_input(rt: Any, workflow: Any, given: dict[str, Any], project_id: str) -> None:
    """400 if ``given`` does not fit the workflow's input (Mistral's message)."""
    spec = rt.catalog({"project_id": project_id, "namespace": workflow.namespace}).workflow(workflow.name)
    if spec is None:
        raise not_found(f"Workflow not found [workflow_identifier={workflow.name}, namespace={workflow.namespace}]")
    kind = "ReverseWorkflowSpec" if spec.type == "reverse" else "DirectWorkflowSpec"
    try:
        bind_input(spec.input, given, spec.name, kind)
    except InputError as exc:
        raise bad_request(str(exc)) from None


def create(rt: Any, body: Mapping[str, Any], *, project_id: str = DEFAULT_PROJECT) -> tuple[int, dict[str, Any]]:
    """POST /v2/cron_triggers: 201; 400 for a bad schedule or input; 404 for
    an unknown workflow; 409 if the name is taken."""
    values = resource_body.read(body, "cron_trigger", BODY)
    name = values.get("name")
    if not name:
        raise bad_request("Name of the cron trigger is not provided.")
    pattern, first, upcoming, count = _schedule(values, _utc_now(rt))
    identifier = values.get("workflow_id") or values.get("workflow_name")
    if not identifier:
        raise bad_request("Workflow ID or workflow name must be provided.")
    workflow = workflows.find(rt, identifier, project_id=project_id)
    wf_input, wf_params = values.get("workflow_input") or {}, values.get("workflow_params") or {}
    check_input(rt, workflow, wf_input, project_id)
    trigger_id = str(uuid.uuid4())
    times = triggers.TriggerTimes(id=trigger_id, name=name, project_id=project_id, pattern=pattern or NEVER,
                                  first=first, next=upcoming)
    schedules = for_runtime(rt)
    if schedules is not None:
        triggers.ensure(schedules, schedules.queue_arn(rt.queues, rt.queue_settings.timer_queue), times)
    try:
        item = rt.definitions.create(
            "cron_trigger", name, project_id=project_id, scope=values.get("scope", "private"), id=trigger_id,
            pattern=pattern or NEVER, workflow_name=workflow.name, workflow_id=workflow.id,
            workflow_input=wf_input, workflow_params=wf_params,
            first_execution_time=first.strftime(views.TIME_FORMAT) if first else None,
            next_execution_time=upcoming.strftime(views.TIME_FORMAT), remaining_executions=count)
    except DuplicateDefinition:
        if schedules is not None:
            triggers.remove(schedules, times)
        raise conflict(f"Duplicate entry for cron trigger ['name', 'project_id']: {name}, {project_id}") from None
    return 201, definition_views.as_created(definition_views.cron_trigger(item), ["updated_at"])


def find(rt: Any, identifier: str, project_id: str = DEFAULT_PROJECT) -> Any:
    """A cron trigger by name or id; 404 if none."""
    item = rt.definitions.get("cron_trigger", identifier, project_id=project_id)
    if item is None and workflows.UUID.match(identifier):
        item = rt.definitions.get_by_id(identifier, kind="cron_trigger")
        if item is not None and not workflows.visible(item, project_id):
            item = None
    if item is None:
        raise not_found(f"Cron trigger not found [identifier={identifier}]")
    return item


def get(rt: Any, identifier: str, *, fields: str = "", project_id: str = DEFAULT_PROJECT) -> tuple[int, dict[str, Any]]:
    """GET /v2/cron_triggers/<name or id>."""
    return 200, workflows.pick(definition_views.cron_trigger(find(rt, identifier, project_id)), fields, COLUMNS)


def list_all(rt: Any, params: Mapping[str, str], base_url: str, *,
             project_id: str = DEFAULT_PROJECT) -> tuple[int, dict[str, Any]]:
    """GET /v2/cron_triggers."""
    query = ListQuery.parse(params, COLUMNS, filterable=FILTERS)
    items = rt.definitions.list("cron_trigger", project_id=project_id)
    return 200, listing("cron_triggers", [definition_views.cron_trigger(item) for item in items], query, base_url)


def delete(rt: Any, identifier: str, *, project_id: str = DEFAULT_PROJECT) -> tuple[int, None]:
    """DELETE /v2/cron_triggers/<name or id>: 204 and its schedule deleted; 404 if none."""
    item = workflows.owned(find(rt, identifier, project_id), project_id, "cron trigger", "delete")
    if not rt.definitions.delete("cron_trigger", item.name, project_id=item.project_id):
        raise not_found(f"Cron trigger not found [identifier={identifier}]")
    schedules = for_runtime(rt)
    if schedules is not None:  # a crash before this leaves an orphan, deleted when it fires
        triggers.remove(schedules, triggers.TriggerTimes.of(item))
    return 204, None
