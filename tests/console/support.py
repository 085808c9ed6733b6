"""Requests the console tests make to the API directly (set-up and checks)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import requests

from tests.integration.dev.devprocess import Dev

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "console"
ENDED = ("SUCCESS", "ERROR", "CANCELLED")
#: the dev server's one API key (tests/console/conftest.py)
TOKEN = "console-token"
TOKEN_PROJECT = "console-project"


def upload(dev: Dev, text: str, token: str | None = None) -> None:
    headers = {"Content-Type": "text/plain", **({"X-Auth-Token": token} if token else {})}
    answer = requests.post(f"{dev.api}/workflows", data=text.encode(), headers=headers, timeout=30)
    assert answer.status_code == 201, answer.text


def start(dev: Dev, workflow: str, wf_input: dict[str, Any] | None = None, env: dict[str, Any] | None = None) -> str:
    body: dict[str, Any] = {"workflow_name": workflow, "input": json.dumps(wf_input or {})}
    if env is not None:
        body["params"] = json.dumps({"env": env})
    status, execution = dev.call("POST", "/executions", body)
    assert status == 201, execution
    return execution["id"]


def wait_state(dev: Dev, execution_id: str, states: tuple[str, ...] = ENDED, timeout: float = 60.0) -> dict[str, Any]:
    """The execution once it is in one of ``states``."""
    deadline = time.monotonic() + timeout
    while True:
        status, execution = dev.call("GET", f"/executions/{execution_id}")
        assert status == 200, execution
        if execution["state"] in states:
            return execution
        assert time.monotonic() < deadline, f"{execution_id} still {execution['state']}\n{dev.output()[-3000:]}"
        time.sleep(0.1)


def section(panel: Any, title: str) -> Any:
    """The task panel's section headed ``title`` (Result, Published, ...)."""
    return panel.locator(f"section.panel-section:has(> h3:text-is('{title}'))")
