from __future__ import annotations

import json
from typing import Any


def upload(client: Any, text: str, status: int = 201) -> dict[str, Any]:
    response = client.http.post("/v2/workflows", headers={"Content-Type": "text/plain"}, body=text)
    assert response.status_code == status, response.body
    return json.loads(response.body)


def start(client: Any, workflow: str, input: dict[str, Any] | None = None, params: dict[str, Any] | None = None,
          status: int = 201, **extra: Any) -> dict[str, Any]:
    body = {"workflow_name": workflow, "input": json.dumps(input or {}), "params": json.dumps(params or {}),
            **extra}
    response = client.http.post("/v2/executions", headers={"Content-Type": "application/json"},
                                body=json.dumps(body))
    assert response.status_code == status, response.body
    return json.loads(response.body)


def get(client: Any, path: str, status: int = 200) -> dict[str, Any]:
    response = client.http.get(path)
    assert response.status_code == status, response.body
    return json.loads(response.body)
