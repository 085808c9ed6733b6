"""Who is calling: the project an API request acts for (docs/security.md).

A request names its project by a token, sent as ``X-Auth-Token`` (what
python-mistralclient sends) or ``Authorization: Bearer <token>``, looked up in
the API keys of ``SIROCCO_API_KEYS``; behind API Gateway an authorizer's
claims (Cognito, a Lambda authorizer, an HTTP API's JWT) may name it instead,
since API Gateway alone writes ``requestContext.authorizer``.

``SIROCCO_AUTH`` is ``required`` unless set otherwise, so a deployed stage
answers 401 to any request that names no project; ``sirocco dev`` without
``--auth`` sets ``optional``: a request without a token acts for the default
project, as Mistral does with authentication disabled.
"""

from __future__ import annotations

import hashlib
import json
import os
from contextvars import ContextVar
from typing import Any, Mapping

from sirocco.persistence.settings import DEFAULT_PROJECT

from .errors import ApiError

AUTH_VARIABLE = "SIROCCO_AUTH"
KEYS_VARIABLE = "SIROCCO_API_KEYS"
CLAIM_VARIABLE = "SIROCCO_AUTH_PROJECT_CLAIM"
DEFAULT_CLAIM = "custom:project_id"
HASH_PREFIX = "sha256:"

#: the version documents, the OpenAPI description and the console's static page
#: (its token is typed into the page) are read without a token
OPEN_PATHS = frozenset({"/", "/v2", "/v2/openapi.json", "/console", "/console/{name}",
                        "/console/vendor/{name}"})

_project: ContextVar[str] = ContextVar("sirocco_project", default=DEFAULT_PROJECT)


def unauthorized(why: str) -> ApiError:
    return ApiError(401, f"Unauthorized: {why}")


def hash_token(token: str) -> str:
    """How a key is stored: nothing in the configuration gives a caller's token away."""
    return HASH_PREFIX + hashlib.sha256(token.encode()).hexdigest()


def parse_keys(raw: str) -> dict[str, str]:
    """``SIROCCO_API_KEYS`` as {sha256 hash: project}: a JSON object or ``token=project,...``;
    a key may be given as ``sha256:<hex>`` of the token (docs/security.md shows how to make one)."""
    raw = raw.strip()
    if not raw:
        return {}
    if raw.startswith("{"):
        pairs = [(str(k), str(v)) for k, v in json.loads(raw).items()]
    else:
        pairs = []
        for entry in filter(None, (e.strip() for e in raw.split(","))):
            token, sep, project = entry.rpartition("=")
            if not sep or not token or not project:
                raise ValueError(f"{KEYS_VARIABLE}: entry without token=project")
            pairs.append((token.strip(), project.strip()))
    return {(k.lower() if k.startswith(HASH_PREFIX) else hash_token(k)): v for k, v in pairs}


def required(env: Mapping[str, str] = os.environ) -> bool:
    return env.get(AUTH_VARIABLE, "required").strip().lower() != "optional"


def presented_token(headers: Mapping[str, str]) -> str | None:
    token = headers.get("x-auth-token")
    if token:
        return token.strip()
    scheme, _, value = (headers.get("authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def authorizer_project(context: Mapping[str, Any], claim: str) -> str | None:
    """The project an API Gateway authorizer vouched for: Cognito's ``claims``, an HTTP
    API's ``jwt.claims`` or a Lambda authorizer's own context (``project_id``)."""
    authorizer = context.get("authorizer") or {}
    if not isinstance(authorizer, Mapping):
        return None
    for claims in (authorizer.get("claims"), (authorizer.get("jwt") or {}).get("claims"),
                   authorizer.get("lambda"), authorizer):
        if isinstance(claims, Mapping):
            value = claims.get(claim) or claims.get("project_id")
            if isinstance(value, str) and value:
                return value
    return None


def authenticate(headers: Mapping[str, str], context: Mapping[str, Any],
                 env: Mapping[str, str] = os.environ) -> str:
    """The request's project; ApiError 401 if it names none that is known."""
    keys = parse_keys(env.get(KEYS_VARIABLE, ""))
    token = presented_token(headers)
    if token is not None and (keys or required(env)):
        project = keys.get(hash_token(token))
        if project is None:
            raise unauthorized("the token is not valid")
        return project
    project = authorizer_project(context, env.get(CLAIM_VARIABLE) or DEFAULT_CLAIM)
    if project is not None:
        return project
    if required(env):
        raise unauthorized("no X-Auth-Token or Authorization: Bearer token given")
    return DEFAULT_PROJECT


def set_project(project: str) -> None:
    _project.set(project)


def current_project() -> str:
    """The project of the request being answered (set by the API's middleware)."""
    return _project.get()
