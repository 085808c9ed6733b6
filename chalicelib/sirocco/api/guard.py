"""Look-ups by id checked against the caller's project (docs/security.md).

Executions, tasks and action executions are found by id alone (their ids are
global); a record of another project answers the same 404 as an unknown id, so
that a caller learns nothing of what other projects hold.
"""

from __future__ import annotations

from typing import Any, Mapping

from sirocco.persistence.settings import DEFAULT_PROJECT

from . import action_executions
from .errors import ApiError, not_found
from .executions import missing


def _owner(meta: Mapping[str, Any]) -> str:
    return meta.get("project_id") or DEFAULT_PROJECT


def execution(rt: Any, execution_id: str, project_id: str) -> None:
    """404 if the execution belongs to another project (an unknown one is left to the resource)."""
    found = rt.executions.get_execution(execution_id)
    if found is not None and _owner(found[1]) != project_id:
        raise missing(execution_id)


def task(rt: Any, task_id: str, project_id: str) -> None:
    found = rt.executions.find_task(task_id)
    header = rt.executions.get_execution(found[0]) if found is not None else None
    if header is not None and _owner(header[1]) != project_id:
        raise not_found(f"Task execution not found [id={task_id}]")


def action(rt: Any, action_id: str, project_id: str) -> None:
    try:
        _, meta, _ = action_executions._find(rt, action_id)
    except ApiError:
        return  # unknown: the resource answers its own 404
    if _owner(meta) != project_id:
        raise not_found(f"ActionExecution not found [id={action_id}]")
