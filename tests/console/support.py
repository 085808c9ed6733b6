"""Requests the console tests make to the API directly (set-up and checks)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from tests.integration.dev.devprocess import Dev

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "console"
ENDED = ("SUCCESS", "ERROR", "CANCELLED")


def upload(dev: Dev, text: str) -> None:
    status, body = dev.call("POST", "/workflows", text, content_type="text/plain")
    assert status == 201, body


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
