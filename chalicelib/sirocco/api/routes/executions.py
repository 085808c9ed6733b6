"""Routes of ``/v2/executions``."""

from __future__ import annotations

from chalice import Response

from sirocco.api import executions
from sirocco.api.http import JSON_TYPES, answer, blueprint, json_body
from sirocco.handlers.runtime import get_runtime


@blueprint.route("/v2/executions", methods=["POST"], content_types=JSON_TYPES)
def create_execution() -> Response:
    return answer(lambda: executions.create(get_runtime(), json_body()))


@blueprint.route("/v2/executions/{execution_id}", methods=["GET"])
def get_execution(execution_id: str) -> Response:
    return answer(lambda: executions.get(get_runtime(), execution_id))


@blueprint.route("/v2/executions/{execution_id}/tasks", methods=["GET"])
def list_execution_tasks(execution_id: str) -> Response:
    return answer(lambda: executions.tasks(get_runtime(), execution_id))
