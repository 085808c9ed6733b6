"""``GET /v2/openapi.json``: the API's OpenAPI description, served whole and
kept in step with the routes the Chalice app registers."""

from __future__ import annotations

import json
from typing import Any

import schemathesis

import app as sirocco_app

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def _served(client: Any, host: str = "api.example.test") -> dict[str, Any]:
    response = client.http.get("/v2/openapi.json", headers={"Host": host})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    return json.loads(response.body)


def test_the_description_is_served_as_valid_openapi_3_pointing_at_the_server_reached(client):
    served = _served(client)
    assert served["openapi"].startswith("3.0")
    assert served["servers"] == [{"url": "http://api.example.test"}]
    schemathesis.openapi.from_dict(served).validate()  # the OpenAPI 3.0 meta-schema


def test_every_route_the_app_serves_is_described_and_nothing_else(client):
    routes = {(path, method.lower()): entry.view_name
              for path, methods in sirocco_app.app.routes.items() for method, entry in methods.items()}
    described = {(path, method): operation.get("operationId")
                 for path, item in _served(client)["paths"].items()
                 for method, operation in item.items() if method in METHODS}
    assert sorted(set(routes) - set(described)) == [], "routes the description lacks"
    assert sorted(set(described) - set(routes)) == [], "described operations no route serves"
    # operationId is the route's view function: a renamed or rebound route shows here
    assert {k: v for k, v in described.items() if routes[k] != v} == {}


def _parameters(served: dict[str, Any], *lists: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Parameters with their ``$ref`` resolved."""
    found = []
    for parameter in (p for params in lists for p in params):
        if "$ref" in parameter:
            parameter = served["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[1]]
        found.append(parameter)
    return found


def test_every_operation_describes_its_answers_and_path_parameters(client):
    served = _served(client)
    for path, item in served["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            codes = set(operation["responses"])
            assert codes & {"200", "201", "204"}, (method, path)
            if "requestBody" in operation:
                assert "415" in codes, (method, path)  # a body type the route does not take
            if "{" in path:
                assert "404" in codes, (method, path)
            declared = {p["name"] for p in _parameters(served, item.get("parameters", []),
                                                       operation.get("parameters", [])) if p["in"] == "path"}
            assert declared == set(path.replace("}", "{").split("{")[1::2]), (method, path)
