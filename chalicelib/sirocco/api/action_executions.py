"""``/v2/action_executions``: list, get, run an action on its own, complete an async one, delete.

Two kinds of action executions share the resource:

- **workflow actions**, records of an execution's partition (``ACTION#<task id>.<run>.<item>``),
  read by the task's ``by_record`` entry and changed only by the engine: completing one
  (PUT) sends ``ActionCompleted`` to the engine queue, as the executor does;
- **standalone actions** (``POST``), each in a partition of its own (pk = its id). As in
  Mistral 23: ``run_sync``, or a synchronous action without ``save_result``, runs here,
  in the API, bounded by ``SYNC_TIMEOUT``, and is stored only with ``save_result``;
  otherwise the record is stored RUNNING and a ``RunAction`` goes to the executor queue,
  whose result (or a PUT, for an async action) completes the record in place.

Deleting needs ``SIROCCO_ALLOW_ACTION_EXECUTION_DELETION`` (Mistral's
``[api] allow_action_execution_deletion``, off by default) and applies to completed
standalone action executions only.
"""

from __future__ import annotations

import os
import threading
import uuid
from typing import Any, Iterable, Iterator, Mapping

from sirocco.actions import ActionContext, ActionError, Result, run_action
from sirocco.engine import ActionCompleted, RunAction, states
from sirocco.engine.action_runs import InputError, bind_input
from sirocco.engine.records import ActionRecord, ExecutionRecord
from sirocco.expressions import evaluate
from sirocco.messaging import envelopes
from sirocco.messaging.queues import OutMessage, QueueMissing
from sirocco.messaging.routing import action_completed_id, engine_message
from sirocco.persistence.settings import DEFAULT_PROJECT

from . import views
from .errors import ApiError, bad_request, conflict, not_found
from .listing import ListQuery
from .tasks import Headers, json_field, known_arguments, paged, project, row, text_field, uuid_param

ACTION_COLUMNS = ("id", "workflow_name", "workflow_namespace", "task_execution_id", "state", "state_info", "tags",
                  "name", "description", "project_id", "accepted", "input", "output", "created_at", "updated_at")
ACTION_FILTERS = ("name", "tags", "workflow_name", "task_name", "task_execution_id", "state", "state_info",
                  "accepted", "input", "output", "params", "description", "created_at", "updated_at")
ACTION_ARGUMENTS = ("marker", "limit", "sort_keys", "sort_dirs", "fields", *ACTION_FILTERS, "include_output")
UPDATE_STATES = [states.SUCCESS, states.ERROR, states.CANCELLED, states.PAUSED, states.RUNNING]
#: seconds an action run in the API may take (API Gateway gives up on a request at 29 s)
SYNC_TIMEOUT = 25.0
DELETION_SETTING = "SIROCCO_ALLOW_ACTION_EXECUTION_DELETION"
CANCELLED_ERROR = "Action was cancelled"  # what the executor sends for a cancelled result


class Forbidden(ApiError):
    def __init__(self, text: str) -> None:
        super().__init__(403, text)


# ---------------------------------------------------------------- views


def workflow_action_view(record: ActionRecord, header: ExecutionRecord, meta: Mapping[str, Any]) -> dict[str, Any]:
    """An action run of a task, as Mistral shows it (``output`` ``{"result": ...}`` once ended).
    An ad-hoc action shows its own name (the outermost of ``transforms``)."""
    done = record.state in states.COMPLETED
    return {
        "id": record.id,
        "workflow_name": header.workflow,
        "workflow_namespace": meta.get("namespace", "") or "",
        "task_execution_id": record.task_id,
        "state": record.state,
        "state_info": None,
        "tags": None,
        "name": record.transforms[-1] if record.transforms else record.name,
        "description": "",
        "project_id": meta.get("project_id", DEFAULT_PROJECT),
        "accepted": done,
        "input": views.json_text(record.input),
        "output": views.json_text({"result": record.result}) if done else None,
        "created_at": views.stamp(record.created_at),
        "updated_at": views.stamp(record.updated_at),
    }


def standalone_view(record: ActionRecord, meta: Mapping[str, Any]) -> dict[str, Any]:
    """An action execution run on its own (no workflow, no task)."""
    done = record.state in states.COMPLETED
    return {
        "id": record.id,
        "workflow_name": None,
        "workflow_namespace": meta.get("namespace", "") or "",
        "task_execution_id": None,
        "state": record.state,
        "state_info": None,
        "tags": None,
        "name": record.name,
        "description": meta.get("description"),
        "project_id": meta.get("project_id", DEFAULT_PROJECT),
        "accepted": bool(meta.get("accepted")),
        "input": views.json_text(record.input),
        "output": views.json_text({"result": record.result}) if done else None,
        "created_at": views.stamp(record.created_at),
        "updated_at": views.stamp(record.updated_at),
    }


# ---------------------------------------------------------------- look-ups


def _find(rt: Any, action_id: str) -> tuple[ActionRecord, dict[str, Any], ExecutionRecord | None]:
    """(record, meta, header): header None for a standalone action execution; 404 if none."""
    if "." not in action_id:  # workflow action ids are <task id>.<run>.<index>
        standalone = rt.executions.get_standalone_action(action_id)
        if standalone is not None:
            return standalone[0], standalone[1], None
    elif action_id.startswith("."):  # no task id to look up (an index key cannot be empty)
        raise not_found(f"ActionExecution not found [id={action_id}]")
    found = rt.executions.find_action(action_id)
    header = rt.executions.get_execution(found[0]) if found is not None else None
    if found is None or found[1].is_workflow or header is None:  # sub-workflow runs are executions
        raise not_found(f"ActionExecution not found [id={action_id}]")
    return found[1], header[1], header[0]


def _view(record: ActionRecord, meta: Mapping[str, Any], header: ExecutionRecord | None) -> dict[str, Any]:
    return standalone_view(record, meta) if header is None else workflow_action_view(record, header, meta)


def get(rt: Any, action_id: str, *, fields: str = "") -> tuple[int, dict[str, Any]]:
    """GET /v2/action_executions/<id> (with ``output``)."""
    wanted = [f.strip() for f in fields.split(",") if f.strip()]
    unknown = [f for f in wanted if f not in ACTION_COLUMNS]
    if unknown:
        raise bad_request(f"Some fields do not exist  [{', '.join(unknown)}], please choose from "
                          f"[{', '.join(ACTION_COLUMNS)}]")
    return 200, project(_view(*_find(rt, action_id)), wanted)


def list_actions(rt: Any, params: Mapping[str, str], base_url: str, *, task_id: str | None = None,
                 include_output: bool = False, project_id: str = DEFAULT_PROJECT) -> tuple[int, dict[str, Any]]:
    """GET /v2/action_executions (and /v2/tasks/<id>/action_executions with ``task_id``);
    ``output`` with ``include_output``."""
    known_arguments(params, ACTION_ARGUMENTS)
    params = {k: v for k, v in params.items() if k != "include_output"}
    if task_id is not None:
        params["task_execution_id"] = uuid_param("task_execution_id", task_id)
    elif "task_execution_id" in params:  # an empty one too: 400 (Mistral's), never an empty key
        uuid_param("task_execution_id", params["task_execution_id"])
    query = ListQuery.parse(params, ACTION_COLUMNS, filterable=ACTION_FILTERS)
    task_names = [f for f in query.filters if f.column == "task_name"]
    tid = query.filter_on("task_execution_id")
    headers = Headers(rt)
    marker = _marker(rt, query.marker)
    if isinstance(tid, str):  # one task's runs: one partition Query
        body = paged("action_executions", _task_actions(rt, headers, tid, task_names), query, base_url, marker,
                     ordered=False)
    else:  # the project: its index, in creation order
        ordered = query.by_creation()
        rows = _project_actions(rt, headers, project_id, task_names,
                                newest_first=ordered and query.sort_dirs[0] == "desc",
                                start=marker["_created"] if ordered and marker is not None else None)
        body = paged("action_executions", rows, query, base_url, marker, ordered=ordered, budget="task_execution_id")
    if not include_output and not query.fields:
        for view in body["action_executions"]:
            view.pop("output", None)
    return 200, body


def _marker(rt: Any, marker: str | None) -> dict[str, Any] | None:
    if not marker:
        return None
    try:
        record, meta, header = _find(rt, marker)
    except ApiError:
        raise not_found(f"Object not found [id={marker}]") from None
    return row(_view(record, meta, header), record)


def _task_actions(rt: Any, headers: Headers, task_id: str, task_names: list[Any]) -> list[dict[str, Any]]:
    found = rt.executions.find_task(task_id)
    header = headers.get(found[0]) if found is not None else None
    if found is None or header is None or not all(f.matches(found[1].name) for f in task_names):
        return []
    runs = [a for a in rt.executions.list_actions(found[0], task_id) if not a.is_workflow]
    return [row(workflow_action_view(a, *header), a) for a in runs]


def _project_actions(rt: Any, headers: Headers, project_id: str, task_names: list[Any], *, newest_first: bool,
                     start: float | None) -> Iterator[dict[str, Any]]:
    names: dict[str, str] = {}
    for eid, record, meta in rt.executions.project_records(project_id, "ACTION", newest_first=newest_first,
                                                           start=start):
        if meta is not None:  # standalone: no task
            if not task_names:
                yield row(standalone_view(record, meta), record)
            continue
        found = headers.get(eid)
        if found is not None and _task_name_ok(rt, task_names, eid, record.task_id, names):
            yield row(workflow_action_view(record, *found), record)


def _task_name_ok(rt: Any, filters: list[Any], execution_id: str, task_id: str, names: dict[str, str]) -> bool:
    """``task_name`` filters (Mistral's column; not in the view): the task read once per request."""
    if not filters:
        return True
    if task_id not in names:
        task = rt.executions.fetch_record(execution_id, f"TASK#{task_id}")
        names[task_id] = task.name if task is not None else ""
    return all(f.matches(names[task_id]) for f in filters)


# ---------------------------------------------------------------- run an action on its own


def create(rt: Any, body: Mapping[str, Any], *, project_id: str = DEFAULT_PROJECT) -> tuple[int, dict[str, Any]]:
    """POST /v2/action_executions: ``name``, ``input``, ``params`` (``run_sync``,
    ``save_result``, ``target``, ``timeout``), ``description``, ``workflow_namespace``."""
    action_input = json_field(body, "input", "action_ex") or {}
    params = json_field(body, "params", "action_ex") or {}
    name = text_field(body, "name", "action_ex")
    description = text_field(body, "description", "action_ex")
    namespace = text_field(body, "workflow_namespace", "action_ex") or ""
    if not name:
        raise bad_request("Please provide at least action name to run action.")
    catalog = rt.catalog({"project_id": project_id, "namespace": namespace})
    base, base_input, transforms = resolve(catalog, name, action_input)
    try:
        definition = rt.registry.get(base)
        definition.check_input(base_input)
    except ActionError as exc:
        raise bad_request(str(exc)) from None
    sync, save = bool(params.get("run_sync")), bool(params.get("save_result"))
    if sync and not definition.is_sync:
        raise bad_request("Action does not support synchronous execution.")
    now = rt.clock()
    meta = {"project_id": project_id, "namespace": namespace}
    if not sync and (save or not definition.is_sync):
        record = ActionRecord(id=str(uuid.uuid4()), task_id="", run=0, index=0, name=name, input=action_input,
                              created_at=now, transforms=transforms)
        meta.update(description=description or "", accepted=False)
        _schedule(rt, record, meta, base, base_input, params)
        return 201, standalone_view(record, meta)
    timeout = _timeout(params.get("timeout"))
    state, value = outcome(_run_here(rt, base, base_input, timeout), transforms, catalog)
    record = ActionRecord(id="", task_id="", run=0, index=0, name=name, input=action_input, state=state,
                          result=value, created_at=now)
    if not save:  # run, not stored: Mistral answers the record it did not create
        view = standalone_view(record, {**meta, "description": description or None})
        return 201, {**view, "id": None, "project_id": None, "accepted": None, "created_at": None}
    record.id = str(uuid.uuid4())
    meta.update(description=description or None, accepted=False)
    rt.executions.put_standalone_action(record, meta)
    view = standalone_view(record, meta)
    view["created_at"] = views.stamp(now).replace(" ", "T") + ".000000"  # as Mistral's create answers it
    return 201, view


def resolve(catalog: Any, name: str, given: dict[str, Any]) -> tuple[str, dict[str, Any], tuple[str, ...]]:
    """An ad-hoc action followed down to its registered base: (base, base input,
    ad-hoc names whose ``output`` applies to the result, innermost first)."""
    transforms: list[str] = []
    while True:
        adhoc = catalog.action(name)
        if adhoc is None:
            return name, given, tuple(transforms)
        if name in transforms:
            raise bad_request(f"Failed to instantiate an action: ad-hoc action cycle at {name}")
        try:
            bound = bind_input(adhoc.input, given, adhoc.name, "AdHocAction")
            given = evaluate(adhoc.base_input, bound) if adhoc.base_input else {}
        except InputError as exc:
            raise bad_request(str(exc)) from None
        except Exception as exc:
            raise bad_request(f"Failed to instantiate an action [{adhoc.name}]: {exc}") from None
        if not isinstance(given, dict):
            raise bad_request(f"Failed to instantiate an action [{adhoc.name}]: base-input is not a dict")
        transforms.insert(0, adhoc.name)
        name = adhoc.base


def outcome(result: Result | None, transforms: Iterable[str], catalog: Any) -> tuple[str, Any]:
    """(state, value) of a run: SUCCESS with the data (ad-hoc ``output`` applied), ERROR
    with the error, CANCELLED with None; ``result`` None (an async action that started
    well) has no outcome yet (RUNNING)."""
    if result is None:
        return states.RUNNING, None
    if result.is_cancel():
        return states.CANCELLED, None
    if result.is_error():
        return states.ERROR, result.error
    data = result.data
    try:
        for name in transforms:
            spec = catalog.action(name)
            if spec is not None and spec.output is not None:
                data = evaluate(spec.output, data)
    except Exception as exc:
        return states.ERROR, str(exc)
    return states.SUCCESS, data


def _timeout(raw: Any) -> float:
    try:
        asked = float(raw) if raw not in (None, "") else SYNC_TIMEOUT
    except (TypeError, ValueError):
        raise bad_request(f"Invalid timeout: {raw!r}") from None
    return min(asked, SYNC_TIMEOUT) if asked > 0 else SYNC_TIMEOUT


def _run_here(rt: Any, name: str, action_input: dict[str, Any], timeout: float) -> Result:
    """Run a synchronous action in this (API) process, on a thread so that an action
    that ignores its deadline cannot hold the request past ``timeout``."""
    box: dict[str, Result | None] = {}

    def work() -> None:
        box["result"] = run_action(name, action_input, ActionContext(timeout=timeout), registry=rt.registry)

    worker = threading.Thread(target=work, name="sirocco-sync-action", daemon=True)
    worker.start()
    worker.join(timeout + 1.0)
    if "result" not in box:
        return Result(error=f"The action raised an exception [action={name}, action_ex_id=None, "
                            f"msg='Timeout after {timeout:g} seconds']")
    return box["result"] or Result(error=f"Action {name} returned no result")


def _schedule(rt: Any, record: ActionRecord, meta: dict[str, Any], base: str, base_input: dict[str, Any],
              params: Mapping[str, Any]) -> None:
    """Store the RUNNING record, then send its ``RunAction`` to the executor (a
    failed send removes the record: nothing is left RUNNING that nobody runs)."""
    rt.executions.put_standalone_action(record, meta)
    timeout = params.get("timeout")
    command = RunAction("", action_id=record.id, task_id="", name=base, input=base_input,
                        target=params.get("target") or None,
                        timeout=float(timeout) if isinstance(timeout, (int, float)) and timeout > 0 else None)
    message = OutMessage(envelopes.encode(command, {"standalone": True, **meta}))
    try:
        queue = rt.queue_settings.executor_queue_for(command.target)
        try:
            rt.queues.send(queue, [message])
        except QueueMissing:
            if queue == rt.queue_settings.executor_queue:
                raise
            rt.queues.send(rt.queue_settings.executor_queue, [message])
    except Exception:
        rt.executions.delete_standalone_action(record.id)
        raise


def finish_standalone(rt: Any, action_id: str, result: Result, meta: Mapping[str, Any]) -> bool:
    """Complete a standalone action execution with the executor's result
    (``meta``: the RunAction's: project and namespace for ad-hoc outputs).
    False if it had ended already or is gone."""
    found = rt.executions.get_standalone_action(action_id)
    if found is None:
        return False
    catalog = rt.catalog({"project_id": meta.get("project_id"), "namespace": meta.get("namespace")})
    state, value = outcome(result, found[0].transforms, catalog)
    done = rt.executions.complete_standalone_action(action_id, state, value, rt.clock(), {"accepted": True})
    return bool(done and done[2])


# ---------------------------------------------------------------- complete, delete


def update(rt: Any, action_id: str, body: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
    """PUT /v2/action_executions/<id>: ``state`` SUCCESS (``output``), ERROR (``output``,
    else "Unknown error") or CANCELLED completes a RUNNING action execution."""
    output = json_field(body, "output", "action_ex")
    state = body.get("state") if "state" in body else "Unset"
    if state not in UPDATE_STATES:
        raise bad_request(f"Error. Expected one of {UPDATE_STATES}, actual: {state}")
    if state in (states.PAUSED, states.RUNNING):
        raise bad_request(f"Updating an action execution to {state} is not supported by Sirocco; "
                          "complete it with SUCCESS, ERROR or CANCELLED")
    record, meta, header = _find(rt, action_id)
    if record.state in states.COMPLETED:
        raise conflict(f"Action {action_id} is already completed")
    value: Any = (output if output is not None else {}) if state == states.SUCCESS else \
        (output or "Unknown error") if state == states.ERROR else None
    now = rt.clock()
    if header is None:
        result = Result(data=value) if state == states.SUCCESS else Result(error=value, cancel=state == states.CANCELLED)
        catalog = rt.catalog(meta)
        final, shown = outcome(result, record.transforms, catalog)
        done = rt.executions.complete_standalone_action(action_id, final, shown, now, {"accepted": True})
        if done is None:
            raise not_found(f"ActionExecution not found [id={action_id}]")
        if not done[2]:
            raise conflict(f"Action {action_id} is already completed")
        return 200, standalone_view(done[0], done[1])
    failed = state != states.SUCCESS
    error = (value if state == states.ERROR else CANCELLED_ERROR) if failed else None
    event = ActionCompleted(action_completed_id(action_id), now, action_id=action_id,
                            result=None if failed else value, error=error, failed=failed,
                            cancelled=state == states.CANCELLED)
    rt.queues.send(rt.queue_settings.engine_queue, [engine_message(event, header.id)])
    record.state = state
    record.result, record.updated_at = (error if failed else value), now
    return 200, workflow_action_view(record, header, meta)


def deletion_allowed() -> bool:
    return os.environ.get(DELETION_SETTING, "").strip().lower() in ("1", "true", "yes", "on")


def delete(rt: Any, action_id: str) -> tuple[int, None]:
    """DELETE /v2/action_executions/<id>: completed standalone ones, when allowed."""
    if not deletion_allowed():
        raise Forbidden("Action execution deletion is not allowed.")
    record, _, header = _find(rt, action_id)
    if header is not None:
        raise Forbidden("Only ad-hoc action execution can be deleted.")
    if record.state not in states.COMPLETED:
        raise Forbidden("Only completed action execution can be deleted.")
    if not rt.executions.delete_standalone_action(action_id):
        raise not_found(f"ActionExecution not found [id={action_id}]")
    return 204, None
