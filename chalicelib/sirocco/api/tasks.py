"""``/v2/tasks``: list, get, a task's sub-workflow executions, and PUT to rerun a failed task.

Reads. A task by id is a ``by_record`` Query and a GetItem, plus its
execution's header; a list of one execution's tasks is one partition Query;
a list across the project reads the ``<project>#TASK`` entries of
``by_project`` in creation order only as far as the page needs (``paged``),
and at most ``SCAN_LIMIT`` of them when filters or another sort make it read
on. The API never changes a task itself: a rerun is a ``RerunTask`` event on
the engine queue (group = the execution) whose id is derived from the task's
state, so a repeated request is applied once.

Request bodies are checked as Mistral's wsme checks them (``json_field``,
``bool_field``): the same 400 messages, never a 500.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any, Iterable, Iterator, Mapping

from sirocco.engine import RerunTask, derive_id, states
from sirocco.engine.records import ExecutionRecord, TaskRecord
from sirocco.messaging.routing import engine_message
from sirocco.persistence import pins
from sirocco.persistence.settings import DEFAULT_PROJECT

from . import applied, views
from .errors import ApiError, bad_request, not_found
from .listing import ListQuery, collection

TASK_COLUMNS = ("id", "name", "type", "workflow_name", "workflow_namespace", "workflow_id", "workflow_execution_id",
                "tags", "state", "state_info", "project_id", "runtime_context", "published", "processed",
                "created_at", "updated_at", "started_at", "finished_at")
TASK_FILTERS = ("name", "workflow_name", "workflow_id", "workflow_execution_id", "tags", "state", "state_info",
                "result", "published", "processed", "created_at", "updated_at")
#: what else a list takes (Mistral refuses other arguments)
TASK_ARGUMENTS = ("marker", "limit", "sort_keys", "sort_dirs", "fields", *TASK_FILTERS, "reset", "env")
#: index entries a project-wide list may read for one page (filters, or a sort other than creation time)
SCAN_LIMIT = 10_000
_EXECUTION_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,80}$")  # what api/executions accepts as an execution id
_TRUE = ("true", "t", "yes", "y", "on", "1")
_FALSE = ("false", "f", "no", "n", "off", "0")


# ---------------------------------------------------------------- request fields, as wsme reads them


def invalid(param: str, body: Any, why: str) -> ApiError:
    return bad_request(f"Invalid input for field/attribute {param}. Value: '{body!r}'. {why}")


def json_field(body: Mapping[str, Any], name: str, param: str) -> dict[str, Any] | None:
    """A JSON-typed field (Mistral's ``jsontype``): an object, or JSON text of one;
    absent or null is None, empty is ``{}``."""
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, dict):
        if not isinstance(value, str):
            raise invalid(param, dict(body), f"the JSON object must be str, bytes or bytearray, not {type(value).__name__}")
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise invalid(param, dict(body), str(exc)) from None
    if not value:
        return {}
    if not isinstance(value, dict):
        raise bad_request(f"JsonType field value must be a dictionary [actual={value}]")
    return value


def bool_field(body: Mapping[str, Any], name: str, param: str) -> bool | None:
    value = body.get(name)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return bool(value)
    if isinstance(value, str) and value.lower() in _TRUE:
        return True
    if isinstance(value, str) and value.lower() in _FALSE:
        return False
    raise invalid(param, dict(body), f"Value not an unambiguous boolean: {value}")


def text_field(body: Mapping[str, Any], name: str, param: str) -> str | None:
    value = body.get(name)
    if value is None or isinstance(value, str):
        return value
    raise invalid(param, dict(body), f"Wrong type. Expected '{str}', got '{type(value)}'")


def known_arguments(params: Mapping[str, str], allowed: Iterable[str]) -> None:
    unknown = [k for k in params if k not in allowed]
    if unknown:
        raise bad_request(f'Unknown argument: "{unknown[0]}"')


def uuid_param(name: str, raw: str) -> str:
    """A path or filter value Mistral types as a uuid (an operator prefix allowed)."""
    value = raw.split(":", 1)[1] if raw.split(":", 1)[0] in ("eq", "neq", "gt", "gte", "lt", "lte", "in", "nin",
                                                             "has") else raw
    try:
        uuid.UUID(value)
    except ValueError:
        raise bad_request(f"Invalid input for field/attribute {name}. Value: '{raw}'. unable to convert to uuid. "
                          f"Error: Expected a uuid but received {value}.") from None
    return value


def execution_id_param(name: str, raw: str) -> str:
    """An execution id filter: a uuid in Mistral; Sirocco also takes the ids clients may choose."""
    value = raw.split(":", 1)[1] if raw.startswith("eq:") else raw
    if not _EXECUTION_ID.match(value):
        raise bad_request(f"Invalid input for field/attribute {name}. Value: '{raw}'. unable to convert to uuid. "
                          f"Error: Expected a uuid but received {value}.")
    return value


# ---------------------------------------------------------------- reading pages


def row(view: dict[str, Any], record: Any) -> dict[str, Any]:
    """A view that also carries its record's exact times (``_created``,
    ``_updated``): pages sort on them, as Mistral sorts on its database's
    microseconds, while views show whole seconds."""
    view["_created"] = float(record.created_at or 0.0)
    view["_updated"] = float(record.updated_at or 0.0)
    return view


def _exact(query: ListQuery, view: Mapping[str, Any]) -> tuple[Any, ...]:
    return query.sort_key({**view, "created_at": view["_created"], "updated_at": view["_updated"]})


def paged(resource: str, rows: Iterable[dict[str, Any]], query: ListQuery, base_url: str,
          marker: Mapping[str, Any] | None, *, ordered: bool, budget: str | None = None) -> dict[str, Any]:
    """One page of ``rows`` (from ``row``) as Mistral answers a list: filtered,
    sorted, after the marker, at most ``limit``, projected to ``fields``, with
    the ``next`` link. When ``ordered`` (rows come in the query's creation
    order) reading stops once the page is full and the creation time moves on.
    ``budget`` (the filter that narrows the read) bounds the rows read to
    ``SCAN_LIMIT``: past it the answer is 400, never a wrong or slow page."""
    after = _exact(query, marker) if marker is not None else None
    kept: list[dict[str, Any]] = []
    last = None
    for scanned, view in enumerate(rows, 1):
        if ordered and len(kept) >= query.limit and view["_created"] != last:
            break
        if budget and scanned > SCAN_LIMIT:
            raise bad_request(f"More than {SCAN_LIMIT} records to read for this page of the project's list; "
                              f"narrow it with {budget}")
        last = view["_created"]
        if query.matches(view) and (after is None or after < _exact(query, view)):
            kept.append(view)
    kept.sort(key=lambda v: _exact(query, v))
    items = [{k: v.get(k) for k in query.fields} if query.fields else
             {k: x for k, x in v.items() if not k.startswith("_")} for v in kept[:query.limit]]
    return collection(resource, items, query, base_url)


def _by_creation(query: ListQuery) -> tuple[bool, bool]:
    """(read in creation order?, newest first?)."""
    return query.by_creation(), query.sort_dirs[0] == "desc"


class Headers:
    """Execution headers and meta by id, each read once per request."""

    def __init__(self, rt: Any) -> None:
        self.rt = rt
        self.found: dict[str, tuple[ExecutionRecord, dict[str, Any]] | None] = {}

    def get(self, execution_id: str) -> tuple[ExecutionRecord, dict[str, Any]] | None:
        if execution_id not in self.found:
            self.found[execution_id] = self.rt.executions.get_execution(execution_id)
        return self.found[execution_id]


# ---------------------------------------------------------------- views


def task_view(record: TaskRecord, header: ExecutionRecord, meta: Mapping[str, Any], *,
              result: bool = False) -> dict[str, Any]:
    """A task as the list shows it, or with ``result`` (a JSON string) as GET shows it:
    the run's result once it has one, ``[]`` before (Mistral's empty list of results)."""
    view = views.task(record, header, meta)
    if not result:
        return view
    value = record.result if record.has_result else []
    shown: dict[str, Any] = {}
    for key, item in view.items():
        shown[key] = item
        if key == "runtime_context":
            shown["result"] = views.json_text(value)
    return shown


def _find(rt: Any, task_id: str) -> tuple[TaskRecord, ExecutionRecord, dict[str, Any]]:
    found = rt.executions.find_task(task_id)
    header = rt.executions.get_execution(found[0]) if found is not None else None
    if found is None or header is None:
        raise not_found(f"Task execution not found [id={task_id}]")
    return found[1], header[0], header[1]


def _fields(raw: str, columns: Iterable[str]) -> list[str]:
    fields = [f.strip() for f in raw.split(",") if f.strip()]
    unknown = [f for f in fields if f not in columns]
    if unknown:
        raise bad_request(f"Some fields do not exist  [{', '.join(unknown)}], please choose from "
                          f"[{', '.join(columns)}]")
    return fields


def project(view: Mapping[str, Any], fields: list[str]) -> dict[str, Any]:
    """Only ``fields`` (and ``id``), in the resource's order, as Mistral's ``fields=``."""
    if not fields:
        return dict(view)
    return {k: v for k, v in view.items() if k == "id" or k in fields}


# ---------------------------------------------------------------- resources


def get(rt: Any, task_id: str, *, fields: str = "") -> tuple[int, dict[str, Any]]:
    """GET /v2/tasks/<id>: with ``result``."""
    wanted = _fields(fields, (*TASK_COLUMNS, "result"))
    record, header, meta = _find(rt, task_id)
    return 200, project(task_view(record, header, meta, result=True), wanted)


def list_tasks(rt: Any, params: Mapping[str, str], base_url: str, *, execution_id: str | None = None,
               project_id: str = DEFAULT_PROJECT) -> tuple[int, dict[str, Any]]:
    """GET /v2/tasks (and /v2/executions/<id>/tasks with ``execution_id``)."""
    known_arguments(params, TASK_ARGUMENTS)
    params = dict(params)
    if execution_id is not None:
        params["workflow_execution_id"] = execution_id
    if "workflow_execution_id" in params:  # an empty one too: 400 (Mistral's), never an empty key
        execution_id_param("workflow_execution_id", params["workflow_execution_id"])
    query = ListQuery.parse(params, TASK_COLUMNS, filterable=TASK_FILTERS)
    eid = query.filter_on("workflow_execution_id")
    headers = Headers(rt)
    if isinstance(eid, str):  # one execution: one partition Query
        found = headers.get(eid)
        rows = [row(task_view(t, *found), t) for t in rt.executions.list_tasks(eid)] if found is not None else []
        marker = _marker(rt, headers, query.marker, rows)
        return 200, paged("tasks", rows, query, base_url, marker, ordered=False)
    marker = _marker(rt, headers, query.marker, [])  # the project: its index, in creation order
    ordered, newest = _by_creation(query)
    rows = _project_tasks(rt, headers, project_id, newest_first=newest and ordered,
                          start=marker["_created"] if ordered and marker is not None else None)
    return 200, paged("tasks", rows, query, base_url, marker, ordered=ordered, budget="workflow_execution_id")


def _marker(rt: Any, headers: Headers, marker: str | None, rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The marker task's row (among ``rows``, else looked up: a marker may come
    from a page of another list); 404 if there is no such task."""
    if not marker:
        return None
    view = next((r for r in rows if r["id"] == marker), None)
    if view is not None:
        return view
    found = rt.executions.find_task(marker)
    header = headers.get(found[0]) if found is not None else None
    if found is None or header is None:
        raise not_found(f"Object not found [id={marker}]")
    return row(task_view(found[1], *header), found[1])


def _project_tasks(rt: Any, headers: Headers, project_id: str, *, newest_first: bool,
                   start: float | None) -> Iterator[dict[str, Any]]:
    for eid, record, _ in rt.executions.project_records(project_id, "TASK", newest_first=newest_first,
                                                         start=start):
        found = headers.get(eid)
        if found is not None:
            yield row(task_view(record, *found), record)


def sub_executions(rt: Any, task_id: str, *, errors_only: bool = False, max_depth: int = -1,
                   include_output: bool = False) -> tuple[int, dict[str, Any]]:
    """GET /v2/tasks/<id>/executions: the task's sub-workflow executions and,
    depth first, theirs (Mistral's tree order); ``max_depth`` < 0: no limit."""
    uuid_param("id", task_id)
    record, header, _ = _find(rt, task_id)
    out: list[dict[str, Any]] = []
    _task_tree(rt, header.id, record, errors_only, max_depth, include_output, 0, out)
    return 200, {"executions": out}


def execution_tree(rt: Any, execution_id: str, *, errors_only: bool = False, max_depth: int = -1,
                   include_output: bool = False) -> list[dict[str, Any]] | None:
    """An execution and, depth first, the sub-workflow executions under it
    (``/v2/executions/<id>/executions``); None if there is no such execution."""
    out: list[dict[str, Any]] = []
    if not _execution_tree(rt, execution_id, errors_only, max_depth, include_output, 0, out):
        return None
    return out


def _task_tree(rt: Any, execution_id: str, task: TaskRecord, errors_only: bool, max_depth: int,
               include_output: bool, depth: int, out: list[dict[str, Any]]) -> None:
    if errors_only and task.state != states.ERROR:
        return
    if task.kind != "WORKFLOW":
        return
    runs = [a for a in rt.executions.list_actions(execution_id, task.id) if a.is_workflow]
    for run in sorted(runs, key=lambda a: (a.run, a.index)):
        _execution_tree(rt, run.id, errors_only, max_depth, include_output, depth, out)


def _execution_tree(rt: Any, execution_id: str, errors_only: bool, max_depth: int, include_output: bool,
                    depth: int, out: list[dict[str, Any]]) -> bool:
    if 0 <= max_depth < depth:
        return True
    found = rt.executions.get_execution(execution_id)
    if found is None:
        return False
    view = views.execution(*found, published_global=False)
    if not include_output:
        view.pop("output", None)
    out.append(view)
    for task in rt.executions.list_tasks(execution_id):
        _task_tree(rt, execution_id, task, errors_only, max_depth, include_output, depth + 1, out)
    return True


def rerun_event_id(task: TaskRecord) -> str:
    """The same request against the same task state is one rerun; the next
    failure of the task (new run, new times) makes a new one possible."""
    return derive_id(f"RerunTask:{task.id}:{task.runs}:{task.updated_at!r}", 0)


def update(rt: Any, task_id: str, body: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
    """PUT /v2/tasks/<id>: ``state: RUNNING`` with ``reset`` (and ``env``) reruns a
    failed task, ``state: SKIPPED`` skips it; the answer is the task as that
    makes it (RUNNING, or SKIPPED as Mistral answers)."""
    reset = bool_field(body, "reset", "task")
    env = json_field(body, "env", "task")
    name = text_field(body, "name", "task")
    workflow_name = text_field(body, "workflow_name", "task")
    state = body.get("state")
    record, header, meta = _find(rt, task_id)
    if name and name != record.name:
        raise bad_request("Task name does not match.")
    if workflow_name and workflow_name != header.workflow:
        raise bad_request("Workflow name does not match.")
    if state not in (states.RUNNING, states.SKIPPED):
        raise bad_request("Invalid task state. Only updating task to RUNNING or SKIPPED is supported.")
    if record.state != states.ERROR:
        raise bad_request("The current task execution must be in ERROR for rerun. "
                          "Only updating task to rerun is supported.")
    skip = state == states.SKIPPED
    if not skip and "reset" not in body:
        raise bad_request("Reset field is mandatory to rerun task.")
    if not skip and not reset and not _with_items(rt, header, meta, record):
        raise bad_request("Only with-items task has the option to not reset.")
    if header.state in (states.SUCCESS, states.CANCELLED):  # the engine would ignore it; Mistral refuses
        raise bad_request(f"Can't change workflow execution state from {header.state} to RUNNING. "
                          f"[workflow={header.workflow}, execution_id={header.id}]")
    event = RerunTask(rerun_event_id(record), rt.clock(), task_id=record.id, reset=bool(reset), env=env or None,
                      skip=skip)
    rt.queues.send(rt.queue_settings.engine_queue, [engine_message(event, header.id)])
    done = applied.task_left(rt, header.id, record.id, states.ERROR)  # answer what the engine made of it
    if done is not None:
        record = done
    else:
        record.state, record.state_info = (states.SKIPPED, "Task was skipped.") if skip else (states.RUNNING, None)
    return 200, task_view(record, header, meta, result=True)


def _with_items(rt: Any, header: ExecutionRecord, meta: Mapping[str, Any], record: TaskRecord) -> bool:
    """Whether the task is a with-items task, by the definition the execution runs."""
    text = pins.pinned(rt.executions, header.id)
    spec = rt.catalog(meta, {header.workflow: text} if text else None).workflow(header.workflow)
    task = spec.tasks.get(record.name) if spec is not None else None
    if task is None:
        return record.items_total >= 0
    return bool(task.with_items)

