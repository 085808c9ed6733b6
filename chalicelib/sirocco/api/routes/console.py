"""Routes of the web console: its page and assets under ``/console``, and the
workflow graphs it draws under ``/v2`` (data, so behind the API's own
authentication like every other ``/v2`` resource; docs/console.md)."""

from __future__ import annotations

from chalice import Response

from sirocco.api import guard, workflows
from sirocco.api.errors import not_found
from sirocco.api.http import answer, blueprint, param, project, respond
from sirocco.console import resources
from sirocco.console.assets import asset
from sirocco.handlers.runtime import get_runtime


def _serve(*parts: str) -> Response:
    found = asset(*parts)
    if found is None:
        error = not_found(f"Console file not found [name={'/'.join(parts)}]")
        return respond(error.status, error.body())
    headers = found.headers()
    request_headers = blueprint.current_request.headers or {}
    if request_headers.get("if-none-match") == found.etag:
        return Response(body="", status_code=304, headers=headers)
    return Response(body=found.text, status_code=200, headers=headers)


@blueprint.route("/console", methods=["GET"])
def console_page() -> Response:
    return _serve("index.html")


@blueprint.route("/console/{name}", methods=["GET"])
def console_file(name: str) -> Response:
    return _serve(name)


@blueprint.route("/console/vendor/{name}", methods=["GET"])
def console_vendor_file(name: str) -> Response:
    return _serve("vendor", name)


@blueprint.route("/v2/workflows/{identifier}/graph", methods=["GET"])
def workflow_graph(identifier: str) -> Response:
    def call() -> tuple[int, dict]:
        rt = get_runtime()
        item = workflows.find(rt, identifier, namespace=param("namespace"), project_id=project())
        return resources.workflow_graph(rt, item.id)  # by id: the caller's (or a public) one
    return answer(call)


@blueprint.route("/v2/executions/{execution_id}/graph", methods=["GET"])
def execution_graph(execution_id: str) -> Response:
    def call() -> tuple[int, dict]:
        rt = get_runtime()
        guard.execution(rt, execution_id, project())
        return resources.execution_graph(rt, execution_id)
    return answer(call)
