"""Records as Mistral's resources: field names, JSON-typed fields as
JSON-encoded strings, times as ``YYYY-MM-DD HH:MM:SS`` (UTC)."""

from __future__ import annotations

import datetime
import json
from typing import Any, Mapping

from sirocco.engine import states
from sirocco.engine.records import ExecutionRecord, TaskRecord
from sirocco.persistence.settings import DEFAULT_PROJECT

from .definition_text import member_text

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def stamp(epoch: float | None) -> str | None:
    if not epoch:
        return None
    return datetime.datetime.fromtimestamp(float(epoch), datetime.timezone.utc).strftime(TIME_FORMAT)


def json_text(value: Any) -> str:
    """A JSON-typed field as Mistral sends it (``json.dumps`` with its default separators)."""
    return json.dumps(value, ensure_ascii=True)


def execution(header: ExecutionRecord, meta: Mapping[str, Any], *, published_global: bool = True,
              leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    """A workflow execution (GET /v2/executions/<id>; POST answers without ``published_global``).
    ``leave_out``: fields Mistral does not load for that answer (lists: ``output`` unless
    ``include_output``; a description update: ``params``, ``input``, ``output``)."""
    params = dict(header.params or {})
    namespace = meta.get("namespace", params.get("namespace", "")) or ""
    view: dict[str, Any] = {
        "id": header.id,
        "workflow_id": meta.get("workflow_id"),
        "workflow_name": header.workflow,
        "workflow_namespace": namespace,
        "description": meta.get("description", ""),
        "tags": list(meta.get("tags") or []),
        "params": json_text(params),
        "task_execution_id": header.parent_task_id,
        "root_execution_id": header.root_execution_id,
        "state": header.state,
        "state_info": header.state_info,
        "input": json_text(header.input or {}),
        "output": json_text(header.output if header.output is not None else {}),
        "created_at": stamp(header.created_at),
        "updated_at": stamp(header.updated_at),
        "project_id": meta.get("project_id", DEFAULT_PROJECT),
    }
    if published_global:
        view["published_global"] = json_text({})
    for name in leave_out:
        view.pop(name, None)
    return view


def task(record: TaskRecord, header: ExecutionRecord, meta: Mapping[str, Any]) -> dict[str, Any]:
    """A task execution as ``/v2/executions/<id>/tasks`` lists it (no ``result``, as Mistral)."""
    runtime_context: dict[str, Any] = {}
    if record.items_total >= 0:  # Mistral's keys and order; capacity: the items that may start now
        if record.concurrency:
            runtime_context["concurrency"] = record.concurrency
        capacity = max(record.concurrency - record.items_running, 0) if record.concurrency else None
        runtime_context["with_items"] = {"capacity": capacity, "count": record.items_total}
    return {
        "id": record.id,
        "name": record.name,
        "type": record.kind,
        "workflow_name": header.workflow,
        "workflow_namespace": meta.get("namespace", "") or "",
        "workflow_id": meta.get("workflow_id"),
        "workflow_execution_id": header.id,
        "tags": [],
        "state": record.state,
        "state_info": record.state_info,
        "project_id": meta.get("project_id", DEFAULT_PROJECT),
        "runtime_context": json_text(runtime_context),
        "published": json_text(record.published or {}),
        "processed": record.state in states.COMPLETED,
        "created_at": stamp(record.created_at),
        "updated_at": stamp(record.updated_at),
        "started_at": stamp(record.started_at),
        "finished_at": stamp(record.finished_at),
    }


def workflow(item: Any, *, created: bool = False, updated: bool = False) -> dict[str, Any]:
    """A workflow definition. Mistral's POST and PUT answers hold ``interface``
    as an object (POST without ``updated_at``); GET holds it as a JSON string.
    A workbook's workflow shows its part of the workbook text and no checksum
    (its stored ``definition`` is the whole workbook, which the engine reads)."""
    interface = json.loads(item.interface) if item.interface else {"input": [], "output": []}
    definition, checksum = item.definition, item.checksum
    if getattr(item, "workbook_name", None):
        definition = member_text(item.definition or "", "workflows", item.name[len(item.workbook_name) + 1:])
        checksum = None
    view: dict[str, Any] = {
        "id": item.id,
        "name": item.name,
        "namespace": item.namespace or "",
        "input": item.input or "",
        "interface": interface if created or updated else json_text(interface),
        "definition": definition,
        "checksum": checksum,
        "tags": list(item.tags or []),
        "scope": item.scope,
        "project_id": item.project_id,
        "created_at": item.created_at,
    }
    if not created:
        view["updated_at"] = item.updated_at
    return view
