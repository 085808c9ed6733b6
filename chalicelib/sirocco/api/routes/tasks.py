"""Routes of ``/v2/tasks``."""

from __future__ import annotations

from typing import Any

from chalice import Response

from sirocco.api import action_executions, guard, tasks
from sirocco.api.errors import bad_request
from sirocco.api.http import JSON_TYPES, answer, base_url, blueprint, flag, json_body, param, project, query
from sirocco.handlers.runtime import get_runtime


def _owned(task_id: str) -> Any:
    """The runtime, once the task is known not to be another project's (404 if it is)."""
    rt = get_runtime()
    guard.task(rt, task_id, project())
    return rt


def _owned_action(action_id: str) -> Any:
    rt = get_runtime()
    guard.action(rt, action_id, project())
    return rt


@blueprint.route("/v2/tasks", methods=["GET"])
def list_tasks() -> Response:
    return answer(lambda: tasks.list_tasks(get_runtime(), query(), base_url(), project_id=project()))


@blueprint.route("/v2/tasks/{task_id}", methods=["GET"])
def get_task(task_id: str) -> Response:
    return answer(lambda: tasks.get(_owned(task_id), task_id, fields=param("fields")))


@blueprint.route("/v2/tasks/{task_id}", methods=["PUT"], content_types=JSON_TYPES)
def update_task(task_id: str) -> Response:
    return answer(lambda: tasks.update(_owned(task_id), task_id, json_body()))


@blueprint.route("/v2/tasks/{task_id}/action_executions", methods=["GET"])
def list_task_action_executions(task_id: str) -> Response:
    return answer(lambda: action_executions.list_actions(_owned(task_id), query(), base_url(), task_id=task_id,
                                                         include_output=flag("include_output")))


@blueprint.route("/v2/tasks/{task_id}/action_executions/{action_id}", methods=["GET"])
def get_task_action_execution(task_id: str, action_id: str) -> Response:
    return answer(lambda: action_executions.get(_owned_action(action_id), action_id, fields=param("fields")))


@blueprint.route("/v2/tasks/{task_id}/executions", methods=["GET"])
def list_task_sub_executions(task_id: str) -> Response:
    return answer(lambda: tasks.sub_executions(_owned(task_id), task_id, errors_only=flag("errors_only"),
                                               max_depth=_int("max_depth", -1),
                                               include_output=flag("include_output")))


def _int(name: str, default: int) -> int:
    raw = param(name)
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise bad_request(f"Invalid input for field/attribute {name}. Value: '{raw}'. unable to convert to int")
