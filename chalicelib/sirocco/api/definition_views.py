"""Workbooks, actions, environments and triggers as Mistral's resources.

Field names and order are Mistral 23's; JSON-typed fields (``variables``,
``workflow_input``, ``workflow_params``) travel as JSON text. Mistral answers
a create with the fields the request set and leaves out the rest (no
``updated_at``, no ``description`` nobody gave); ``as_created`` does that.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Mapping

from .definition_text import member_text
from .views import json_text


def _json(value: str | None) -> str | None:
    """A stored JSON attribute as Mistral sends it (``json.dumps`` of the value)."""
    return None if value is None else json_text(json.loads(value))


def as_created(view: Mapping[str, Any], unset: Iterable[str]) -> dict[str, Any]:
    """A create answer: the view without the fields the request did not set."""
    skip = set(unset)
    return {k: v for k, v in view.items() if k not in skip}


def workbook(item: Any) -> dict[str, Any]:
    return {
        "id": item.id,
        "name": item.name,
        "namespace": item.namespace or "",
        "definition": item.definition,
        "tags": list(item.tags or []),
        "scope": item.scope,
        "project_id": item.project_id,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
    }


def action(item: Any, *, written: bool = False) -> dict[str, Any]:
    """An ad-hoc action. Mistral's create and update answers show a missing
    input as null, its GET and list as ``""``. A workbook's action shows its
    part of the workbook text."""
    definition = item.definition
    if item.workbook_name:
        definition = member_text(item.definition or "", "actions", item.name[len(item.workbook_name) + 1:])
    return {
        "id": item.id,
        "name": item.name,
        "is_system": False,
        "input": item.input if written else (item.input or ""),
        "description": item.description,
        "tags": list(item.tags or []),
        "definition": definition,
        "scope": item.scope,
        "project_id": item.project_id,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "namespace": item.namespace or "",
    }


def system_action(info: Any) -> dict[str, Any]:
    """A registered (std.*) action: its name is its id; it has no definition,
    owner or times (as Mistral 23 shows its action providers' actions)."""
    return {
        "id": info.name,
        "name": info.name,
        "is_system": True,
        "input": info.input,
        "description": info.description,
        "tags": None,
        "definition": "",
        "scope": None,
        "project_id": None,
        "created_at": "",
        "updated_at": "",
        "namespace": "",
    }


def environment(item: Any) -> dict[str, Any]:
    return {
        "id": item.id,
        "name": item.name,
        "description": item.description,
        "variables": _json(item.variables),
        "scope": item.scope,
        "project_id": item.project_id,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
    }


def cron_trigger(item: Any) -> dict[str, Any]:
    return {
        "id": item.id,
        "name": item.name,
        "workflow_name": item.workflow_name,
        "workflow_id": item.workflow_id,
        "workflow_input": _json(item.workflow_input),
        "workflow_params": _json(item.workflow_params),
        "project_id": item.project_id,
        "scope": item.scope,
        "pattern": item.pattern,
        "remaining_executions": None if item.remaining_executions is None else int(item.remaining_executions),
        "first_execution_time": item.first_execution_time,
        "next_execution_time": item.next_execution_time,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
    }


def event_trigger(item: Any) -> dict[str, Any]:
    return {
        "id": item.id,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "project_id": item.project_id,
        "name": item.name,
        "workflow_id": item.workflow_id,
        "workflow_input": _json(item.workflow_input),
        "workflow_params": _json(item.workflow_params),
        "exchange": item.exchange,
        "topic": item.topic,
        "event": item.event,
        "scope": item.scope,
    }
