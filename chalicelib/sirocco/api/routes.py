"""The API's routes as a Chalice blueprint (app.py registers it at the root).

Each route reads the request, calls a resource function with the process's
``Runtime`` and answers its ``(status, body)`` as JSON; an ``ApiError`` becomes
Mistral's error shape; anything else a 500 with a ``faultstring`` (logged).
"""

from __future__ import annotations

import json
from typing import Any, Callable

from chalice import Blueprint, Response

from sirocco.handlers import logs
from sirocco.handlers.runtime import get_runtime

from . import executions, workflows
from .errors import ApiError

blueprint = Blueprint(__name__)

#: what a definition upload may be sent as (python-mistralclient says text/plain; curl's default too)
DEFINITION_TYPES = ["text/plain", "text/yaml", "application/yaml", "application/x-yaml",
                    "application/octet-stream", "application/x-www-form-urlencoded", "application/json"]
JSON_TYPES = ["application/json"]


def _json(status: int, body: Any) -> Response:
    return Response(body=json.dumps(body), status_code=status, headers={"Content-Type": "application/json"})


def _answer(call: Callable[[], tuple[int, Any]]) -> Response:
    try:
        status, body = call()
    except ApiError as exc:
        return _json(exc.status, exc.body())
    except Exception as exc:  # never a bare stack trace to a client
        request = blueprint.current_request
        logs.error("api request failed", method=request.method, path=request.path,
                   **logs.exception_fields(exc))
        return _json(500, {"faultcode": "Server", "faultstring": f"{type(exc).__name__}: {exc}",
                           "debuginfo": None})
    return _json(status, body)


def _query(name: str, default: str = "") -> str:
    params = blueprint.current_request.query_params or {}
    return params.get(name, default)


def _text() -> str:
    raw = blueprint.current_request.raw_body or b""
    return raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)


@blueprint.route("/v2/workflows", methods=["POST"], content_types=DEFINITION_TYPES)
def create_workflows() -> Response:
    return _answer(lambda: workflows.create(get_runtime(), _text(), namespace=_query("namespace"),
                                            scope=_query("scope", "private") or "private"))


@blueprint.route("/v2/workflows/{identifier}", methods=["GET"])
def get_workflow(identifier: str) -> Response:
    return _answer(lambda: workflows.get(get_runtime(), identifier, namespace=_query("namespace")))


@blueprint.route("/v2/executions", methods=["POST"], content_types=JSON_TYPES)
def create_execution() -> Response:
    def call() -> tuple[int, Any]:
        try:
            body = json.loads(_text() or "null")
        except ValueError:
            raise ApiError(400, "Request is not in valid JSON format") from None
        return executions.create(get_runtime(), body)

    return _answer(call)


@blueprint.route("/v2/executions/{execution_id}", methods=["GET"])
def get_execution(execution_id: str) -> Response:
    return _answer(lambda: executions.get(get_runtime(), execution_id))


@blueprint.route("/v2/executions/{execution_id}/tasks", methods=["GET"])
def list_execution_tasks(execution_id: str) -> Response:
    return _answer(lambda: executions.tasks(get_runtime(), execution_id))
