"""Who may call the API: a token naming a project, on every route but the
version documents (docs/security.md)."""

from __future__ import annotations

from typing import Any

import pytest

from sirocco.api.auth import authenticate, parse_keys
from sirocco.persistence.settings import DEFAULT_PROJECT

from .conftest import PROJECT_A, PROJECT_B, TOKEN_A, Caller

UNAUTHORIZED = {"faultcode": "Client", "debuginfo": None}


@pytest.mark.parametrize("path", ["/v2/workflows", "/v2/executions", "/v2/tasks", "/v2/action_executions",
                                  "/v2/environments", "/v2/cron_triggers", "/v2/event_triggers", "/v2/actions",
                                  "/v2/workbooks", "/info"])
def test_no_token_is_401_in_mistrals_shape(anonymous: Caller, path: str) -> None:
    code, body = anonymous.request("GET", path)
    assert code == 401
    assert {k: body[k] for k in UNAUTHORIZED} == UNAUTHORIZED
    assert "token" in body["faultstring"]


def test_an_unknown_token_is_401(client: Any) -> None:
    code, body = Caller(client, "not-a-key").request("GET", "/v2/executions")
    assert (code, body["faultstring"]) == (401, "Unauthorized: the token is not valid")


def test_a_request_without_token_changes_nothing(anonymous: Caller, alice: Caller, ns: str) -> None:
    code, _ = anonymous.request("POST", f"/v2/workflows?namespace={ns}",
                                "version: '2.0'\nsneaky:\n  tasks:\n    t:\n      action: std.noop\n")
    assert code == 401
    assert alice.call("GET", f"/v2/workflows?namespace={ns}")["workflows"] == []


@pytest.mark.parametrize("path", ["/", "/v2", "/v2/openapi.json"])
def test_the_version_documents_need_no_token(anonymous: Caller, path: str) -> None:
    assert anonymous.request("GET", path)[0] == 200


def test_a_bearer_token_works_as_x_auth_token(client: Any) -> None:
    code, body = Caller(client, None).request("GET", "/v2/environments",
                                              headers={"Authorization": f"Bearer {TOKEN_A}"})
    assert (code, body) == (200, {"environments": []})


def test_a_hashed_key_is_accepted(bob: Caller) -> None:
    assert bob.request("GET", "/v2/executions")[0] == 200


def test_keys_as_json_or_pairs() -> None:
    assert parse_keys('{"k1": "p1"}') == parse_keys("k1=p1")
    with pytest.raises(ValueError):
        parse_keys("no-project-here")


def test_an_authorizers_claim_names_the_project() -> None:
    """Behind API Gateway: Cognito's claims, an HTTP API's JWT claims, a Lambda authorizer's context."""
    env = {"SIROCCO_AUTH": "required"}
    cognito = {"authorizer": {"claims": {"custom:project_id": PROJECT_A, "sub": "u1"}}}
    assert authenticate({}, cognito, env) == PROJECT_A
    jwt = {"authorizer": {"jwt": {"claims": {"tenant": PROJECT_B}}}}
    assert authenticate({}, jwt, {**env, "SIROCCO_AUTH_PROJECT_CLAIM": "tenant"}) == PROJECT_B
    assert authenticate({}, {"authorizer": {"lambda": {"project_id": PROJECT_B}}}, env) == PROJECT_B
    with pytest.raises(Exception) as no_claim:
        authenticate({}, {"authorizer": {"claims": {"sub": "u1"}}}, env)
    assert getattr(no_claim.value, "status", None) == 401


def test_auth_off_acts_for_the_default_project_without_a_token() -> None:
    """What `sirocco dev` without --auth sets; a token of a configured key still names its project."""
    env = {"SIROCCO_AUTH": "optional", "SIROCCO_API_KEYS": f"{TOKEN_A}={PROJECT_A}"}
    assert authenticate({}, {}, env) == DEFAULT_PROJECT
    assert authenticate({"x-auth-token": TOKEN_A}, {}, env) == PROJECT_A
    assert authenticate({"x-auth-token": "anything"}, {}, {"SIROCCO_AUTH": "optional"}) == DEFAULT_PROJECT


def test_authentication_is_on_unless_turned_off() -> None:
    with pytest.raises(Exception) as refused:
        authenticate({}, {}, {})
    assert getattr(refused.value, "status", None) == 401


def test_a_malformed_key_list_is_a_server_fault_naming_it(alice: Caller, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIROCCO_API_KEYS", "token-without-project")
    code, body = alice.request("GET", "/v2/executions")
    assert (code, body["faultcode"]) == (500, "Server")
    assert "SIROCCO_API_KEYS" in body["faultstring"]
