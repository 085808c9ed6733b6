"""Requests and answers of the API tests."""

from __future__ import annotations

import json
from typing import Any


def request(client: Any, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """Send a request (a ``str`` body as text/plain, others as JSON): status and parsed answer."""
    if isinstance(body, str):
        headers, data = {"Content-Type": "text/plain"}, body
    else:
        headers, data = {"Content-Type": "application/json"}, "" if body is None else json.dumps(body)
    response = getattr(client.http, method.lower())(path, headers=headers, body=data)
    text = response.body.decode() if isinstance(response.body, bytes) else response.body
    return response.status_code, json.loads(text) if text else None


def call(client: Any, method: str, path: str, body: Any = None, status: int = 200) -> Any:
    """The parsed answer of a request that must answer ``status``."""
    code, answer = request(client, method, path, body)
    assert code == status, (code, answer)
    return answer
