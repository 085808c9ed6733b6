"""``/v2/event_triggers``: start a workflow when an event arrives (storage and API).

A trigger names the event by Mistral's ``exchange``, ``topic`` and ``event``
(these cannot change once created) and the workflow by id; its input must
fit the workflow. Triggers are addressed by id only, as in Mistral; one
``(exchange, topic, event, workflow)`` may have one trigger per project.

Each trigger is an EventBridge rule (``sirocco.eventbridge``) whose pattern is
made from exchange (``source``), event (``detail-type``) and the optional
``workflow_params.event_pattern``; ``workflow_params.event_input`` maps event
fields to workflow input (``sirocco.eventrules``). A create stores the trigger
then puts its rule (a refused pattern removes the trigger again: 400); an update
puts the rule then stores; a delete removes the rule then the trigger, so a
repeated delete finishes what a crashed one began.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Mapping

from sirocco import eventbridge
from sirocco.eventrules.pattern import TriggerConfigError, event_pattern, input_mapping
from sirocco.messaging.queues import QueueMissing
from sirocco.persistence.definitions import DefinitionMissing
from sirocco.persistence.settings import DEFAULT_PROJECT

from . import definition_views, resource_body, views, workflows
from .cron_triggers import check_input
from .errors import bad_request, conflict, not_found
from .listing import ListQuery, listing

COLUMNS = ("id", "created_at", "updated_at", "project_id", "name", "workflow_id", "workflow_input",
           "workflow_params", "exchange", "topic", "event", "scope")
T, J = resource_body.TEXT, resource_body.JSON
BODY = {"id": resource_body.READ_ONLY, "created_at": resource_body.READ_ONLY,
        "updated_at": resource_body.READ_ONLY, "project_id": resource_body.READ_ONLY, "name": T,
        "workflow_id": resource_body.UUID, "workflow_input": J, "workflow_params": J, "exchange": T, "topic": T,
        "event": T, "scope": resource_body.SCOPE}
MANDATORY = ("workflow_id", "exchange", "topic", "event")
FIXED = ["exchange", "topic", "event"]


def _id(identifier: str) -> str:
    if not workflows.UUID.match(identifier):
        raise bad_request(f"Invalid input for field/attribute id. Value: '{identifier}'. unable to convert to uuid. "
                          f"Error: Expected a uuid but received {identifier}.")
    return identifier


def _workflow(rt: Any, workflow_id: str, project_id: str) -> Any:
    item = rt.definitions.get_by_id(workflow_id, kind="workflow")
    if item is None or not workflows.visible(item, project_id):
        raise not_found(f"Workflow not found [workflow_id={workflow_id}]")
    return item


def _rule(exchange: str, event: str, params: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The trigger's EventBridge pattern and input mapping; 400 if unusable."""
    try:
        return event_pattern(exchange, event, params), input_mapping(params)
    except TriggerConfigError as exc:
        raise bad_request(str(exc)) from None


def _target_arn(rt: Any, rules: eventbridge.EventBridge) -> str:
    """The events queue's ARN: configured (the template), else asked of SQS, else made
    from the account (a queue not made yet: tests of the API alone)."""
    if rules.settings.events_queue_arn:
        return rules.settings.events_queue_arn
    name = rt.queue_settings.events_queue
    try:
        return str(rt.queues.arn(name))
    except QueueMissing:
        import boto3

        account = boto3.session.Session().client("sts", region_name=rules.settings.region) \
            .get_caller_identity()["Account"]
        return f"arn:aws:sqs:{rules.settings.region}:{account}:{name}"


def _put_rule(rt: Any, trigger_id: str, project_id: str, pattern: dict[str, Any]) -> None:
    rules = eventbridge.shared()
    try:
        rules.put_trigger_rule(trigger_id, project_id, pattern, _target_arn(rt, rules))
    except eventbridge.RuleRefused as exc:
        raise bad_request(f"Invalid event pattern {json.dumps(pattern)}: {exc}") from None


def create(rt: Any, body: Mapping[str, Any], *, project_id: str = DEFAULT_PROJECT) -> tuple[int, dict[str, Any]]:
    """POST /v2/event_triggers: 201; 400 without exchange, topic, event and
    workflow_id, with an input the workflow refuses or a pattern EventBridge
    refuses; 409 for a second trigger of the same event and workflow."""
    values = resource_body.read(body, "event_trigger", BODY)
    if any(not values.get(name) for name in MANDATORY):
        listed = ", ".join(repr(name) for name in MANDATORY)
        raise bad_request(f"Params {{{listed}}} must be provided for creating event trigger.")
    workflow = _workflow(rt, values["workflow_id"], project_id)
    wf_input = values.get("workflow_input") or {}
    wf_params = values.get("workflow_params") or {}
    pattern, mapping = _rule(values["exchange"], values["event"], wf_params)
    check_input(rt, workflow, {**wf_input, **dict.fromkeys(mapping)}, project_id)
    _check_unique(rt, (values["exchange"], values["topic"], values["event"], workflow.id), project_id)
    trigger_id = str(uuid.uuid4())
    item = rt.definitions.create(
        "event_trigger", values.get("name", ""), key=trigger_id, id=trigger_id, project_id=project_id,
        scope=values.get("scope", "private"), workflow_id=workflow.id, workflow_input=wf_input,
        workflow_params=wf_params, exchange=values["exchange"], topic=values["topic"],
        event=values["event"])
    try:
        _put_rule(rt, trigger_id, project_id, pattern)
    except BaseException:
        rt.definitions.delete("event_trigger", trigger_id, project_id=project_id)
        raise
    return 201, definition_views.event_trigger(item)


def _check_unique(rt: Any, same: tuple[str, str, str, str], project_id: str, itself: str | None = None) -> None:
    """409 if another trigger of the project has these exchange, topic, event and workflow."""
    for other in rt.definitions.list("event_trigger", project_id=project_id, include_public=False):
        if other.id != itself and (other.exchange, other.topic, other.event, other.workflow_id) == same:
            raise conflict("Duplicate entry for EventTrigger ['exchange', 'topic', 'event', 'workflow_id', "
                           f"'project_id']: {', '.join(same)}, {project_id}")


def find(rt: Any, identifier: str, project_id: str = DEFAULT_PROJECT) -> Any:
    item = rt.definitions.get("event_trigger", _id(identifier), project_id=project_id)
    if item is None:
        raise not_found(f"Event trigger not found [id={identifier}].")
    return item


def update(rt: Any, identifier: str, body: Mapping[str, Any], *,
           project_id: str = DEFAULT_PROJECT) -> tuple[int, dict[str, Any]]:
    """PUT /v2/event_triggers/<id>: name, workflow, input, params, scope; 400 for exchange, topic or event."""
    _id(identifier)
    values = resource_body.read(body, "event_trigger", BODY)
    if any(values.get(name) for name in FIXED):
        raise bad_request(f"Can not update fields {FIXED} of event trigger.")
    old = workflows.owned(find(rt, identifier, project_id), project_id, "event trigger", "update")
    changes = {k: v for k, v in values.items()
               if k in ("name", "workflow_id", "workflow_input", "workflow_params", "scope")}
    fields = {name: getattr(old, name) for name in ("workflow_id", "exchange", "topic", "event", "scope")}
    fields.update(workflow_input=_stored(old.workflow_input), workflow_params=_stored(old.workflow_params))
    fields.update({k: v for k, v in changes.items() if k != "name"})
    pattern, mapping = _rule(old.exchange, old.event, fields["workflow_params"] or {})
    if {"workflow_id", "workflow_input", "workflow_params"} & set(changes):
        workflow = _workflow(rt, fields["workflow_id"], project_id)
        check_input(rt, workflow, {**(fields["workflow_input"] or {}), **dict.fromkeys(mapping)}, project_id)
    if fields["workflow_id"] != old.workflow_id:
        _check_unique(rt, (old.exchange, old.topic, old.event, fields["workflow_id"]), project_id, old.id)
    item = rt.definitions.build("event_trigger", changes.get("name", old.name), key=identifier, id=old.id,
                                project_id=old.project_id, created_at=old.created_at,
                                updated_at=views.stamp(rt.clock()), **fields)
    _put_rule(rt, old.id, old.project_id, pattern)  # also re-makes a rule a crashed create left out
    try:
        rt.definitions.transact(replace=[item])
    except DefinitionMissing:
        eventbridge.shared().delete_trigger_rule(old.id)
        raise not_found(f"Event trigger not found [id={identifier}].") from None
    return 200, definition_views.event_trigger(item)


def _stored(text: str | None) -> dict[str, Any]:
    return json.loads(text) if text else {}


def get(rt: Any, identifier: str, *, fields: str = "", project_id: str = DEFAULT_PROJECT) -> tuple[int, dict[str, Any]]:
    """GET /v2/event_triggers/<id>."""
    return 200, workflows.pick(definition_views.event_trigger(find(rt, identifier, project_id)), fields, COLUMNS)


def list_all(rt: Any, params: Mapping[str, str], base_url: str, *,
             project_id: str = DEFAULT_PROJECT) -> tuple[int, dict[str, Any]]:
    """GET /v2/event_triggers (any column filters, as Mistral's ``**filters``)."""
    query = ListQuery.parse(params, COLUMNS, filterable=[c for c in COLUMNS if c != "id"])
    items = rt.definitions.list("event_trigger", project_id=project_id)
    return 200, listing("event_triggers", [definition_views.event_trigger(item) for item in items], query,
                        base_url)


def delete(rt: Any, identifier: str, *, project_id: str = DEFAULT_PROJECT) -> tuple[int, None]:
    """DELETE /v2/event_triggers/<id>: 204; 404 if none. The rule goes first: a
    crash in between leaves a trigger that the next delete removes."""
    item = workflows.owned(find(rt, identifier, project_id), project_id, "event trigger", "delete")
    eventbridge.shared().delete_trigger_rule(item.id)
    if not rt.definitions.delete("event_trigger", identifier, project_id=project_id):
        raise not_found(f"Event trigger not found [id={identifier}].")
    return 204, None
