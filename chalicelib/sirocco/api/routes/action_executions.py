"""Routes of ``/v2/action_executions``."""

from __future__ import annotations

from typing import Any

from chalice import Response

from sirocco.api import action_executions, guard
from sirocco.api.http import JSON_TYPES, answer, base_url, blueprint, flag, json_body, param, project, query
from sirocco.handlers.runtime import get_runtime


def _owned(action_id: str) -> Any:
    """The runtime, once the action execution is known not to be another project's (404 if it is)."""
    rt = get_runtime()
    guard.action(rt, action_id, project())
    return rt


@blueprint.route("/v2/action_executions", methods=["GET"])
def list_action_executions() -> Response:
    return answer(lambda: action_executions.list_actions(get_runtime(), query(), base_url(), project_id=project(),
                                                         include_output=flag("include_output")))


@blueprint.route("/v2/action_executions", methods=["POST"], content_types=JSON_TYPES)
def create_action_execution() -> Response:
    return answer(lambda: action_executions.create(get_runtime(), json_body(), project_id=project()))


@blueprint.route("/v2/action_executions/{action_id}", methods=["GET"])
def get_action_execution(action_id: str) -> Response:
    return answer(lambda: action_executions.get(_owned(action_id), action_id, fields=param("fields")))


@blueprint.route("/v2/action_executions/{action_id}", methods=["PUT"], content_types=JSON_TYPES)
def update_action_execution(action_id: str) -> Response:
    return answer(lambda: action_executions.update(_owned(action_id), action_id, json_body()))


@blueprint.route("/v2/action_executions/{action_id}", methods=["DELETE"])
def delete_action_execution(action_id: str) -> Response:
    return answer(lambda: action_executions.delete(_owned(action_id), action_id))
