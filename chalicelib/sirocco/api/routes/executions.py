"""Routes of ``/v2/executions``."""

from __future__ import annotations

from typing import Any

from chalice import Response

from sirocco.api import execution_list, execution_update, executions, guard, reports
from sirocco.api.http import JSON_TYPES, answer, base_url, blueprint, flag, json_body, param, project, query
from sirocco.handlers.runtime import get_runtime


def _owned(execution_id: str) -> Any:
    """The runtime, once the execution is known not to be another project's (404 if it is)."""
    rt = get_runtime()
    guard.execution(rt, execution_id, project())
    return rt


@blueprint.route("/v2/executions", methods=["POST"], content_types=JSON_TYPES)
def create_execution() -> Response:
    def call() -> tuple[int, dict]:
        body = json_body()
        source = body.get("source_execution_id")
        rt = _owned(str(source)) if isinstance(source, str) and source else get_runtime()
        return executions.create(rt, body, project_id=project())
    return answer(call)


@blueprint.route("/v2/executions", methods=["GET"])
def list_executions() -> Response:
    return answer(lambda: execution_list.list_executions(get_runtime(), query(), base_url(), caller=project()))


@blueprint.route("/v2/executions/{execution_id}", methods=["GET"])
def get_execution(execution_id: str) -> Response:
    return answer(lambda: executions.get(get_runtime(), execution_id, fields=param("fields"), project_id=project()))


@blueprint.route("/v2/executions/{execution_id}", methods=["PUT"], content_types=JSON_TYPES)
def update_execution(execution_id: str) -> Response:
    return answer(lambda: execution_update.update(_owned(execution_id), execution_id, json_body(),
                                                  project_id=project()))


@blueprint.route("/v2/executions/{execution_id}", methods=["DELETE"])
def delete_execution(execution_id: str) -> Response:
    return answer(lambda: executions.delete(_owned(execution_id), execution_id, force=flag("force")))


@blueprint.route("/v2/executions/{execution_id}/tasks", methods=["GET"])
def list_execution_tasks(execution_id: str) -> Response:
    return answer(lambda: executions.tasks(_owned(execution_id), execution_id, query(), base_url()))


@blueprint.route("/v2/executions/{execution_id}/executions", methods=["GET"])
def list_sub_executions(execution_id: str) -> Response:
    def call() -> tuple[int, dict]:
        reports.options(query(), ("errors_only", "max_depth", "include_output"))
        return reports.sub_executions(_owned(execution_id), execution_id, errors_only=flag("errors_only"),
                                      max_depth=reports.depth(query()), include_output=flag("include_output"))
    return answer(call)


@blueprint.route("/v2/executions/{execution_id}/report", methods=["GET"])
def get_execution_report(execution_id: str) -> Response:
    def call() -> tuple[int, dict]:
        reports.options(query(), ("errors_only", "max_depth", "statistics_only"))
        return reports.report(_owned(execution_id), execution_id, errors_only=flag("errors_only"),
                              max_depth=reports.depth(query()), statistics_only=flag("statistics_only"))
    return answer(call)
