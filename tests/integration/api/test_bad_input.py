"""Bad input to the definition resources is a 4xx in Mistral's error shape, never a 500."""

from __future__ import annotations

import json
import uuid

import pytest

TEXT_POSTS = ["/v2/workflows", "/v2/workbooks", "/v2/actions", "/v2/workflows/validate", "/v2/workbooks/validate",
              "/v2/actions/validate"]
TEXT_PUTS = ["/v2/workflows", "/v2/workbooks", "/v2/actions", "/v2/workflows/nope", "/v2/actions/nope",
             "/v2/workflows/615d64c4-02f5-4e4c-8ba5-8cde4c175b71"]
DOCUMENTS = ["", "   ", "null", "[1, 2]", "version: '2.0'", "version: '2.0'\nx: [unclosed", "version: '3.0'\nw: {}\n",
             "version: '2.0'\nname: 5\nworkflows: []\n", "version: '2.0'\n'': {tasks: {t: {action: std.noop}}}\n",
             "\x00\x01", "version: '2.0'\nw:\n  tasks:\n    t:\n      action: std.noop\n" * 2]
JSON_POSTS = ["/v2/environments", "/v2/cron_triggers", "/v2/event_triggers"]
BODIES = ["", "nonsense", "[]", "5", json.dumps({"name": None}), json.dumps({"name": ["x"]}),
          json.dumps({"name": "x", "variables": 5}), json.dumps({"name": "x", "workflow_input": "[]"}),
          json.dumps({"name": "x", "workflow_id": 5}), json.dumps({"name": "x", "remaining_executions": 1.5}),
          json.dumps({"name": "x", "pattern": 5}), json.dumps({"name": "x", "scope": None, "pattern": "@daily"}),
          json.dumps({"name": "x", "first_execution_time": 12}), json.dumps({"name": "x" * 2000, "pattern": "*"})]
GETS = ["/v2/workflows?limit=abc", "/v2/workflows?limit=-1", "/v2/workflows?marker=nope",
        "/v2/workflows?sort_dirs=up", "/v2/workflows?fields=colour", "/v2/workflows/nope?fields=colour",
        "/v2/actions?marker=nope", "/v2/actions?sort_keys=colour", "/v2/workbooks?sort_keys=name&sort_dirs=asc,desc",
        "/v2/environments?limit=0", "/v2/event_triggers?fields=x",
        "/v2/workflows/" + "x" * 3000, "/v2/actions/%00", "/v2/event_triggers/nope", "/v2/cron_triggers/nope"]


def _check(response) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.body)
    body = json.loads(response.body)
    assert isinstance(body.get("faultstring"), str) and body["faultstring"]


@pytest.mark.parametrize("path", TEXT_POSTS + TEXT_PUTS)
def test_bad_documents(client, path):
    method = client.http.post if path in TEXT_POSTS else client.http.put
    for document in DOCUMENTS:
        response = method(path, headers={"Content-Type": "text/plain"}, body=document.encode("utf-8", "replace"))
        if path.endswith("/validate"):
            assert response.status_code == 200 and json.loads(response.body)["valid"] is False, document
        elif response.status_code not in (200, 201):
            _check(response)


@pytest.mark.parametrize("path", JSON_POSTS + ["/v2/environments", "/v2/event_triggers/nope"])
def test_bad_json_bodies(client, path):
    method = client.http.post if path in JSON_POSTS else client.http.put
    for body in BODIES:
        _check(method(path, headers={"Content-Type": "application/json"}, body=body))


@pytest.mark.parametrize("path", GETS)
def test_bad_queries(client, path):
    _check(client.http.get(path))


@pytest.mark.parametrize("path", TEXT_POSTS + JSON_POSTS + ["/v2/executions", "/v2/action_executions"])
def test_a_body_that_is_not_utf8_is_a_400_naming_it(client, path):
    response = client.http.post(path, headers={"Content-Type": "text/plain" if path in TEXT_POSTS
                                               else "application/json"}, body=b"version: '2.0'\n\xff\xfe")
    _check(response)
    assert response.status_code == 400 and "UTF-8" in json.loads(response.body)["faultstring"]


def test_names_and_descriptions_longer_than_mistral_keeps_are_400(client):
    long_name = "w" * 256
    response = client.http.post("/v2/workflows", headers={"Content-Type": "text/plain"},
                                body=f"version: '2.0'\n{long_name}:\n  tasks:\n    t:\n      action: std.noop\n")
    _check(response)
    assert "longer than 255" in json.loads(response.body)["faultstring"]
    name = f"short_{uuid.uuid4().hex[:8]}"
    assert client.http.post("/v2/workflows", headers={"Content-Type": "text/plain"},
                            body=f"version: '2.0'\n{name}:\n  tasks:\n    t:\n      action: std.noop\n").status_code == 201
    for description in ("d" * 256, 5):
        response = client.http.post("/v2/executions", headers={"Content-Type": "application/json"},
                                    body=json.dumps({"workflow_name": name, "description": description}))
        _check(response)
        assert "description" in json.loads(response.body)["faultstring"]
    listed = json.loads(client.http.get(f"/v2/executions?workflow_name={name}").body)["executions"]
    assert listed == []  # nothing was started
