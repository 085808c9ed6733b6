"""``/v2/executions``: start one, get one, delete one, list its tasks.

A start is checked first (``check_start``: unknown workflow, missing or
unexpected input, failing vars, reverse ``task_name``) so that a bad request
gets 400 and no execution; then a ``StartExecution`` goes to the engine
queue (group = the new execution id), carrying the execution's facts (project,
namespace, workflow id, description) for the engine to store; the create waits
briefly for the engine to store the execution (applied.py) and, if it is slower,
stores the header IDLE itself so that a GET right after the create finds it
(the engine's start takes it over). The answer is the execution as Mistral
answers a create: RUNNING, its bound input, output ``{}``.

A delete removes the execution and its sub-executions (Mistral's cascade) through
``ExecutionStore.delete_tree`` and then sends each an event that the engine applies
to nothing once its earlier batches are over, so that the partition is swept again
after any batch that was in flight (see ``delete_tree``). Lists, updates and
reports live in ``execution_list``, ``execution_update`` and ``reports``.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any, Mapping

from sirocco.engine import CallFired, Decision, ExecutionState, StartExecution, StartRefused, check_start, derive_id
from sirocco.engine.lifecycle import merged  # noqa: F401  (Mistral's merge_dicts; execution_update uses it too)
from sirocco.engine.records import ExecutionRecord
from sirocco.engine import states
from sirocco.messaging.routing import engine_message
from sirocco.persistence import ConcurrentSaveError
from sirocco.persistence.settings import DEFAULT_PROJECT

from . import applied, resource_body, views, workflows
from .errors import ApiError, bad_request, not_found

_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,80}$")  # what a message group id and a DynamoDB key both take
#: the create body's text attributes (Mistral's Execution resource types them ``wtypes.text``)
TEXT_FIELDS = ("id", "workflow_id", "workflow_name", "workflow_namespace", "description", "source_execution_id")


def start_event_id(execution_id: str) -> str:
    """The StartExecution's id: a repeated create of the same id dedupes."""
    return derive_id(f"StartExecution:{execution_id}", 0)


def create(rt: Any, body: Any, *, project_id: str = DEFAULT_PROJECT) -> tuple[int, dict[str, Any]]:
    """POST /v2/executions (body: Mistral's Execution resource as JSON)."""
    if not isinstance(body, Mapping):
        raise bad_request("Request is not in valid JSON format")
    for name in TEXT_FIELDS:  # wsme's type check comes first in Mistral
        if body.get(name) is not None:
            resource_body.text_value(body[name], name)
    execution_id = body.get("id") or str(uuid.uuid4())
    if not isinstance(execution_id, str) or not _ID.match(execution_id):
        raise bad_request(f"Invalid execution id: {execution_id!r}")
    if body.get("id"):
        existing = rt.executions.get_execution(execution_id)
        if existing is not None:  # an id given by the client makes the create idempotent
            return 201, views.execution(*existing, published_global=False)
    params = workflows.as_json(body.get("params"), "params")
    wf_input = workflows.as_json(body.get("input"), "input")
    if not isinstance(params, dict):
        raise bad_request("params must be a JSON object")
    if not isinstance(wf_input, dict):
        raise bad_request("input must be a JSON object")
    description = body.get("description") or ""
    check_description(description)
    if body.get("source_execution_id"):
        body, wf_input, params, description = _from_source(rt, body, wf_input, params, description)
    workflow_id = body.get("workflow_id")
    workflow_name = body.get("workflow_name")
    if not workflow_id and not workflow_name:
        raise bad_request("Workflow ID or workflow name must be provided. Workflow ID is recommended.")
    namespace = body.get("workflow_namespace") or params.get("namespace") or ""
    item = workflows.find(rt, workflow_id or workflow_name, namespace=namespace, project_id=project_id)
    namespace = item.namespace or ""
    params = dict(params)
    params.setdefault("namespace", namespace)
    params.setdefault("env", {})
    if isinstance(params["env"], str):
        params["env"] = environment(rt, params["env"], project_id)
    # the workflow just read is the one checked: no second read of it through the catalog
    catalog = rt.catalog({"project_id": project_id, "namespace": namespace},
                         {item.name: item.definition} if item.definition else None)
    try:
        bound = check_start(catalog, item.name, wf_input, params)
    except StartRefused as exc:
        raise bad_request(str(exc)) from None
    now = rt.clock()
    meta = {"project_id": project_id, "namespace": namespace, "workflow_id": item.id, "description": description}
    event = StartExecution(start_event_id(execution_id), now, workflow=item.name, input=dict(wf_input),
                           params=params)
    rt.queues.send(rt.queue_settings.engine_queue, [engine_message(event, execution_id, meta)])
    if not applied.execution_stored(rt, execution_id):
        _placeholder(rt, execution_id, item.name, bound, params, now, meta)
    header = ExecutionRecord(id=execution_id, workflow=item.name, state=states.RUNNING, input=bound,
                             params=params, created_at=now, updated_at=now)
    return 201, views.execution(header, meta, published_global=False)


def _from_source(rt: Any, body: Mapping[str, Any], wf_input: dict[str, Any], params: dict[str, Any],
                 description: str) -> tuple[Mapping[str, Any], dict[str, Any], dict[str, Any], str]:
    """``source_execution_id``: the new execution takes the source's workflow, input and
    params, merged under what the request gives (Mistral's ``merge_dicts``), and says so in
    its description (Mistral answers 500 when the request has no description: here none is
    needed)."""
    source = str(body["source_execution_id"])
    found = rt.executions.get_execution(source)
    if found is None:
        raise missing(source)
    header, meta = found
    given = {k: v for k, v in body.items() if v not in (None, "")}
    merged_body = {"workflow_id": meta.get("workflow_id"), "workflow_name": header.workflow,
                   "workflow_namespace": meta.get("namespace", ""), **given}
    return (merged_body, merged(header.input or {}, wf_input), merged(header.params or {}, params),
            f"{description} Based on the execution '{source}'".strip())


def _placeholder(rt: Any, execution_id: str, workflow: str, bound: dict[str, Any], params: dict[str, Any],
                 now: float, meta: dict[str, Any]) -> None:
    """Store the execution's header (IDLE) so that it can be read at once, as
    Mistral's is, before the engine applies the ``StartExecution`` (sent
    first, so a crash here loses nothing). The engine's start takes the IDLE
    header over; if the engine was first, its save wins and this one is dropped."""
    header = ExecutionRecord(id=execution_id, workflow=workflow, state=states.IDLE, input=bound, params=params,
                             created_at=now, updated_at=now)
    state = ExecutionState(header)
    try:
        rt.executions.save(execution_id, Decision(state, [header], []), [], 0, meta=meta)
    except ConcurrentSaveError:
        pass


def environment(rt: Any, name: str, project_id: str) -> dict[str, Any]:
    """The variables of a stored environment (``params.env`` given by name); 400 if unknown."""
    item = rt.definitions.get("environment", name, project_id=project_id)
    if item is None:
        raise bad_request(f"Environment is not found: {name}")  # Mistral's words at an execution's start
    variables = item.variables
    if isinstance(variables, str):
        variables = json.loads(variables)
    return dict(variables or {})


MAX_DESCRIPTION = 255  # Mistral's column; an execution's header (one DynamoDB item) carries it


def check_description(description: Any) -> None:
    if not isinstance(description, str):
        raise bad_request(f"description must be a string, got {type(description).__name__}")
    if len(description) > MAX_DESCRIPTION:
        raise bad_request(f"description is longer than {MAX_DESCRIPTION} characters ({len(description)})")


def missing(execution_id: str) -> ApiError:
    return not_found(f"WorkflowExecution not found [id={execution_id}]")


def get(rt: Any, execution_id: str, *, fields: str = "", project_id: str | None = None) -> tuple[int, dict[str, Any]]:
    """GET /v2/executions/<id> (``fields``: those fields and ``id``, in the resource's order);
    with ``project_id``, another project's execution is missing too (one read for both)."""
    wanted = [f.strip() for f in fields.split(",") if f.strip()]
    found = rt.executions.get_execution(execution_id)
    if found is None or (project_id is not None and (found[1].get("project_id") or DEFAULT_PROJECT) != project_id):
        raise missing(execution_id)
    view = views.execution(*found)
    if not wanted:
        return 200, view
    for name in wanted:
        if name not in view or name == "published_global":
            raise bad_request(f"Field '{name}' does not exist.")
    return 200, {k: v for k, v in view.items() if k == "id" or k in wanted}


def delete(rt: Any, execution_id: str, *, force: bool = False) -> tuple[int, None]:
    """DELETE /v2/executions/<id>: only an ended execution unless ``force``; its
    sub-executions go with it. 204."""
    found = rt.executions.get_execution(execution_id)
    if found is None:
        if rt.executions.is_deleted(execution_id):  # a delete cut short: complete it, still gone
            _delete(rt, execution_id)
        raise missing(execution_id)
    state = found[0].state
    if not force and not states.is_completed(state):
        raise ApiError(403, "Only completed executions can be deleted. Use --force to override this. "
                            f"Execution {execution_id} is in {state} state")
    _delete(rt, execution_id)
    return 204, None


def _delete(rt: Any, execution_id: str) -> None:
    now = rt.clock()
    deleted = rt.executions.delete_tree(execution_id, now) or []
    wake = [engine_message(CallFired(derive_id(f"Deleted:{eid}", 0), now, call_id=f"deleted:{eid}"), eid)
            for eid in deleted]
    if wake:
        rt.queues.send(rt.queue_settings.engine_queue, wake)


def tasks(rt: Any, execution_id: str, params: Mapping[str, str], base_url: str) -> tuple[int, dict[str, Any]]:
    """GET /v2/executions/<id>/tasks: the task list of one execution (``/v2/tasks``'s list
    query language, creation order by default); 404 for an unknown execution, as Mistral."""
    from . import tasks as task_api

    if rt.executions.get_execution(execution_id) is None:
        raise missing(execution_id)
    return task_api.list_tasks(rt, params, base_url, execution_id=execution_id)
