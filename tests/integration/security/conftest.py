"""The API with authentication on, through the Chalice test client over moto's
server (the fixtures of tests/integration/api, for tables of this package's own):
two projects, each with its token, as a deployed stage would be configured."""

from __future__ import annotations

import json
from typing import Any, Iterator

import pytest

from sirocco.api.auth import hash_token

from ..api.conftest import api_runtime, client, delivery, ns, rt  # noqa: F401  (fixtures)

TOKEN_A = "token-of-project-a"
TOKEN_B = "token-of-project-b"
PROJECT_A = "project-a"
PROJECT_B = "project-b"


@pytest.fixture(autouse=True)
def auth_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """Authentication required; project B's key stored as its SHA-256 hash, as a deployment should."""
    monkeypatch.setenv("SIROCCO_AUTH", "required")
    monkeypatch.setenv("SIROCCO_API_KEYS", f"{TOKEN_A}={PROJECT_A},{hash_token(TOKEN_B)}={PROJECT_B}")


class Caller:
    """Requests of one project: its token as X-Auth-Token (python-mistralclient's header)."""

    def __init__(self, client: Any, token: str | None) -> None:
        self.client = client
        self.headers = {"X-Auth-Token": token} if token else {}

    def request(self, method: str, path: str, body: Any = None,
                headers: dict[str, str] | None = None) -> tuple[int, Any]:
        if isinstance(body, str):
            sent = {"Content-Type": "text/plain"}
            data = body
        else:
            sent = {"Content-Type": "application/json"}
            data = "" if body is None else json.dumps(body)
        sent.update(self.headers)
        sent.update(headers or {})
        response = getattr(self.client.http, method.lower())(path, headers=sent, body=data)
        text = response.body.decode() if isinstance(response.body, bytes) else response.body
        return response.status_code, json.loads(text) if text else None

    def call(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        code, answer = self.request(method, path, body)
        assert code == status, (code, answer)
        return answer


@pytest.fixture
def alice(client: Any) -> Caller:
    return Caller(client, TOKEN_A)


@pytest.fixture
def bob(client: Any) -> Caller:
    return Caller(client, TOKEN_B)


@pytest.fixture
def anonymous(client: Any) -> Iterator[Caller]:
    yield Caller(client, None)
