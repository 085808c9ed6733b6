"""Routes of ``/v2/tasks``."""

from __future__ import annotations

from chalice import Response

from sirocco.api import action_executions, tasks
from sirocco.api.errors import bad_request
from sirocco.api.http import JSON_TYPES, answer, base_url, blueprint, flag, json_body, param, query
from sirocco.handlers.runtime import get_runtime


@blueprint.route("/v2/tasks", methods=["GET"])
def list_tasks() -> Response:
    return answer(lambda: tasks.list_tasks(get_runtime(), query(), base_url()))


@blueprint.route("/v2/tasks/{task_id}", methods=["GET"])
def get_task(task_id: str) -> Response:
    return answer(lambda: tasks.get(get_runtime(), task_id, fields=param("fields")))


@blueprint.route("/v2/tasks/{task_id}", methods=["PUT"], content_types=JSON_TYPES)
def update_task(task_id: str) -> Response:
    return answer(lambda: tasks.update(get_runtime(), task_id, json_body()))


@blueprint.route("/v2/tasks/{task_id}/action_executions", methods=["GET"])
def list_task_action_executions(task_id: str) -> Response:
    return answer(lambda: action_executions.list_actions(get_runtime(), query(), base_url(), task_id=task_id,
                                                         include_output=flag("include_output")))


@blueprint.route("/v2/tasks/{task_id}/action_executions/{action_id}", methods=["GET"])
def get_task_action_execution(task_id: str, action_id: str) -> Response:
    return answer(lambda: action_executions.get(get_runtime(), action_id, fields=param("fields")))


@blueprint.route("/v2/tasks/{task_id}/executions", methods=["GET"])
def list_task_sub_executions(task_id: str) -> Response:
    return answer(lambda: tasks.sub_executions(get_runtime(), task_id, errors_only=flag("errors_only"),
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
