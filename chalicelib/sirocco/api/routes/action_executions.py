"""Routes of ``/v2/action_executions``."""

from __future__ import annotations

from chalice import Response

from sirocco.api import action_executions
from sirocco.api.http import JSON_TYPES, answer, base_url, blueprint, flag, json_body, param, query
from sirocco.handlers.runtime import get_runtime


@blueprint.route("/v2/action_executions", methods=["GET"])
def list_action_executions() -> Response:
    return answer(lambda: action_executions.list_actions(get_runtime(), query(), base_url(),
                                                         include_output=flag("include_output")))


@blueprint.route("/v2/action_executions", methods=["POST"], content_types=JSON_TYPES)
def create_action_execution() -> Response:
    return answer(lambda: action_executions.create(get_runtime(), json_body()))


@blueprint.route("/v2/action_executions/{action_id}", methods=["GET"])
def get_action_execution(action_id: str) -> Response:
    return answer(lambda: action_executions.get(get_runtime(), action_id, fields=param("fields")))


@blueprint.route("/v2/action_executions/{action_id}", methods=["PUT"], content_types=JSON_TYPES)
def update_action_execution(action_id: str) -> Response:
    return answer(lambda: action_executions.update(get_runtime(), action_id, json_body()))


@blueprint.route("/v2/action_executions/{action_id}", methods=["DELETE"])
def delete_action_execution(action_id: str) -> Response:
    return answer(lambda: action_executions.delete(get_runtime(), action_id))
