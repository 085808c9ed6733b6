"""The request side of the API: one Chalice blueprint, and helpers that read
the current request and turn a resource function's answer into a response.

Resource functions (``api/<resource>.py``) take plain values and return
``(status, body)`` or raise ``ApiError``; the route modules (``api/routes/``)
bind them to ``blueprint`` with these helpers, so that no resource function
sees Chalice and every error leaves in Mistral's shape.
"""

from __future__ import annotations

import json
import os
from typing import Any, Callable, Mapping

from chalice import Blueprint, Response
from chalice.app import CaseInsensitiveMapping

from sirocco.handlers import logs

from . import auth
from .errors import ApiError, bad_request

blueprint = Blueprint("sirocco.api")

#: what a definition upload may be sent as (python-mistralclient says text/plain; curl's default too)
DEFINITION_TYPES = ["text/plain", "text/yaml", "application/yaml", "application/x-yaml",
                    "application/octet-stream", "application/x-www-form-urlencoded", "application/json"]
JSON_TYPES = ["application/json"]


@blueprint.middleware("http")
def no_content_type_without_body(event: Any, get_response: Callable[[Any], Response]) -> Response:
    """A GET or DELETE has no body to read: its Content-Type is not checked (Mistral
    ignores it; Chalice would answer 415 for any type but JSON)."""
    if event.method in ("GET", "DELETE", "HEAD") and "content-type" in event.headers:
        event.headers = CaseInsensitiveMapping({k: v for k, v in event.headers.items() if k != "content-type"})
    return get_response(event)


@blueprint.middleware("http")
def chalice_errors_as_faults(event: Any, get_response: Callable[[Any], Response]) -> Response:
    """Chalice's own answers to a request no route function sees (415 for a body
    type the route does not take, 405) in Mistral's error shape, with Mistral's
    words for the 415, so that every error a client gets reads the same way."""
    response = get_response(event)
    body = response.body
    if response.status_code >= 400 and isinstance(body, dict) and set(body) == {"Code", "Message"}:
        message = str(body["Message"])
        if body["Code"] == "UnsupportedMediaType":
            message = "Unknown mimetype: " + message.split(": ", 1)[-1]
        response.body = json.dumps({"faultcode": "Client" if response.status_code < 500 else "Server",
                                    "faultstring": message, "debuginfo": None})
        response.headers = {**(response.headers or {}), "Content-Type": "application/json"}
    return response


#: the largest request body taken (a definition, an execution's input and params...):
#: room for the multi-megabyte inputs the engine offloads to S3, below Lambda's 6 MB
#: request payload even base64-encoded, and API Gateway's 10 MB
MAX_BODY_VARIABLE = "SIROCCO_MAX_REQUEST_BYTES"
MAX_BODY_BYTES = 4 * 1024 * 1024


@blueprint.middleware("http")
def authenticated(event: Any, get_response: Callable[[Any], Response]) -> Response:
    """Every route but the version documents answers only a caller whose token (or API
    Gateway authorizer) names a project, and acts for that project (api/auth.py); a body
    over the size limit is refused before any route reads it."""
    try:
        project = auth.DEFAULT_PROJECT
        if event.path not in auth.OPEN_PATHS:
            project = auth.authenticate(event.headers or {}, event.context or {})
        limit = int(os.environ.get(MAX_BODY_VARIABLE) or MAX_BODY_BYTES)
        size = len(event.raw_body or b"") if event.method in ("POST", "PUT", "PATCH") else 0
        if size > limit:
            raise ApiError(413, f"Request body is too large: {size} bytes, the limit is {limit}")
    except ApiError as exc:
        return respond(exc.status, exc.body())
    except ValueError as exc:  # SIROCCO_API_KEYS or the size limit misconfigured: the operator's to fix
        logs.error("api configuration invalid", **logs.exception_fields(exc))
        return respond(500, {"faultcode": "Server", "faultstring": f"Configuration error: {exc}", "debuginfo": None})
    auth.set_project(project)
    return get_response(event)


def project() -> str:
    """The project the current request acts for."""
    return auth.current_project()


def respond(status: int, body: Any) -> Response:
    if status == 204 or body is None:
        return Response(body="", status_code=status)
    return Response(body=json.dumps(body), status_code=status, headers={"Content-Type": "application/json"})


def answer(call: Callable[[], tuple[int, Any]]) -> Response:
    """Run a resource call: its answer as JSON, an ``ApiError`` in Mistral's
    shape, anything else a logged 500 that still names the failure."""
    try:
        status, body = call()
    except ApiError as exc:
        return respond(exc.status, exc.body())
    except Exception as exc:  # never a bare stack trace to a client
        request = blueprint.current_request
        logs.error("api request failed", method=request.method, path=request.path, **logs.exception_fields(exc))
        return respond(500, {"faultcode": "Server", "faultstring": f"{type(exc).__name__}: {exc}",
                             "debuginfo": None})
    return respond(status, body)


def query() -> dict[str, str]:
    """The query parameters (the last value of a repeated one)."""
    return dict(blueprint.current_request.query_params or {})


def param(name: str, default: str = "") -> str:
    return query().get(name, default)


def flag(name: str, default: bool = False) -> bool:
    """A boolean query parameter as wsme reads one (``true``/``1``/``yes``...)."""
    value = query().get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in ("true", "1", "yes", "y", "on", "t"):
        return True
    if lowered in ("false", "0", "no", "n", "off", "f"):
        return False
    raise bad_request(f"Invalid input for field/attribute {name}. Value: '{value}'. Wrong type. "
                      "Expected 'bool', got 'str'")


def text() -> str:
    """The request body as text; 400 if it is not UTF-8 (Mistral's documents are)."""
    raw = blueprint.current_request.raw_body or b""
    if not isinstance(raw, bytes):
        return str(raw)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise bad_request(f"Request body is not valid UTF-8 (byte {exc.start})") from None


def json_body() -> Mapping[str, Any]:
    """The request body as a JSON object; 400 if it is not one."""
    raw = text()
    try:
        body = json.loads(raw or "null")
    except ValueError:
        raise bad_request("Request is not in valid JSON format") from None
    if not isinstance(body, Mapping):
        raise bad_request("Request is not in valid JSON format")
    return body


def base_url() -> str:
    """This API's root URL as the client reached it (``next`` links are built on it)."""
    request = blueprint.current_request
    headers = request.headers or {}
    host = headers.get("host") or "127.0.0.1:8989"
    scheme = headers.get("x-forwarded-proto") or "http"
    context = request.context or {}
    stage = context.get("stage")
    prefix = f"/{stage}" if stage and ".execute-api." in host else ""
    return f"{scheme}://{host}{prefix}"
