"""Input limits: a request body over SIROCCO_MAX_REQUEST_BYTES
(4 MiB) is refused before it is read (413, Mistral's error shape) — definitions,
execution input and params alike; a list ``limit`` is clamped to 1000, a bad one is 400."""

from __future__ import annotations

import json

import pytest

from .conftest import Caller

LIMIT = 4 * 1024 * 1024


def test_a_definition_over_the_limit_is_413(alice: Caller, ns: str) -> None:
    text = "version: '2.0'\nbig:\n  description: " + "x" * LIMIT + "\n  tasks:\n    t:\n      action: std.noop\n"
    code, body = alice.request("POST", f"/v2/workflows?namespace={ns}", text)
    assert code == 413
    assert body["faultstring"].startswith("Request body is too large: ")
    assert body["faultstring"].endswith(f"the limit is {LIMIT}")
    assert alice.call("GET", f"/v2/workflows?namespace={ns}")["workflows"] == []


def test_execution_input_over_the_limit_is_413(alice: Caller) -> None:
    code, body = alice.request("POST", "/v2/executions", {"workflow_name": "any", "input": {"blob": "y" * LIMIT}})
    assert (code, body["faultcode"]) == (413, "Client")


def test_the_limit_is_configurable(alice: Caller, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIROCCO_MAX_REQUEST_BYTES", "100")
    code, _ = alice.request("POST", "/v2/environments", {"name": "e", "variables": {"v": "z" * 200}})
    assert code == 413


def test_a_body_under_the_limit_is_taken(alice: Caller, ns: str) -> None:
    variables = {"v": "z" * (LIMIT // 2)}
    created = alice.call("POST", "/v2/environments", {"name": f"half_{ns}", "variables": variables}, 201)
    assert json.loads(created["variables"]) == variables
    alice.call("DELETE", f"/v2/environments/half_{ns}", status=204)


def test_a_list_limit_is_clamped_and_checked(alice: Caller) -> None:
    assert alice.request("GET", "/v2/executions?limit=100000")[0] == 200
    code, body = alice.request("GET", "/v2/executions?limit=-1")
    assert (code, body["faultstring"]) == (400, "Limit must be positive.")
    assert alice.request("GET", "/v2/workflows?limit=abc")[0] == 400
