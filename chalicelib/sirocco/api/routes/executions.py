"""Routes of ``/v2/executions``."""

from __future__ import annotations

from chalice import Response

from sirocco.api import execution_list, execution_update, executions, reports
from sirocco.api.http import JSON_TYPES, answer, base_url, blueprint, flag, json_body, param, query
from sirocco.handlers.runtime import get_runtime


@blueprint.route("/v2/executions", methods=["POST"], content_types=JSON_TYPES)
def create_execution() -> Response:
    return answer(lambda: executions.create(get_runtime(), json_body()))


@blueprint.route("/v2/executions", methods=["GET"])
def list_executions() -> Response:
    return answer(lambda: execution_list.list_executions(get_runtime(), query(), base_url()))


@blueprint.route("/v2/executions/{execution_id}", methods=["GET"])
def get_execution(execution_id: str) -> Response:
    return answer(lambda: executions.get(get_runtime(), execution_id, fields=param("fields")))


@blueprint.route("/v2/executions/{execution_id}", methods=["PUT"], content_types=JSON_TYPES)
def update_execution(execution_id: str) -> Response:
    return answer(lambda: execution_update.update(get_runtime(), execution_id, json_body()))


@blueprint.route("/v2/executions/{execution_id}", methods=["DELETE"])
def delete_execution(execution_id: str) -> Response:
    return answer(lambda: executions.delete(get_runtime(), execution_id, force=flag("force")))


@blueprint.route("/v2/executions/{execution_id}/tasks", methods=["GET"])
def list_execution_tasks(execution_id: str) -> Response:
    return answer(lambda: executions.tasks(get_runtime(), execution_id, query(), base_url()))


@blueprint.route("/v2/executions/{execution_id}/executions", methods=["GET"])
def list_sub_executions(execution_id: str) -> Response:
    def call() -> tuple[int, dict]:
        reports.options(query(), ("errors_only", "max_depth", "include_output"))
        return reports.sub_executions(get_runtime(), execution_id, errors_only=flag("errors_only"),
                                      max_depth=reports.depth(query()), include_output=flag("include_output"))
    return answer(call)


@blueprint.route("/v2/executions/{execution_id}/report", methods=["GET"])
def get_execution_report(execution_id: str) -> Response:
    def call() -> tuple[int, dict]:
        reports.options(query(), ("errors_only", "max_depth", "statistics_only"))
        return reports.report(get_runtime(), execution_id, errors_only=flag("errors_only"),
                              max_depth=reports.depth(query()), statistics_only=flag("statistics_only"))
    return answer(call)
