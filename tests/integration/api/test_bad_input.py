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


# ---------------------------------------------------------------- found by the OpenAPI fuzz run (test_openapi_fuzz.py)


@pytest.mark.parametrize("method,path", [("POST", "/v2/environments"), ("POST", "/v2/executions"),
                                         ("PUT", "/v2/tasks/nope"), ("POST", "/v2/workflows")])
def test_a_body_type_the_route_does_not_take_is_415_in_mistrals_shape(client, method, path):
    response = client.http.request(method, path, headers={"Content-Type": "text/html"}, body=b"<p>")
    assert response.status_code == 415
    assert json.loads(response.body) == {"faultcode": "Client", "faultstring": "Unknown mimetype: text/html",
                                         "debuginfo": None}


@pytest.mark.parametrize("path,name", [("/v2/executions?workflow_id=", "workflow_id"),
                                       ("/v2/executions?task_execution_id=", "task_execution_id"),
                                       ("/v2/tasks?workflow_execution_id=", "workflow_execution_id"),
                                       ("/v2/action_executions?task_execution_id=", "task_execution_id")])
def test_an_empty_id_filter_is_400_naming_it(client, path, name):
    response = client.http.get(path)
    _check(response)
    assert json.loads(response.body)["faultstring"] == (
        f"Invalid input for field/attribute {name}. Value: ''. unable to convert to uuid. "
        "Error: Expected a uuid but received .")


@pytest.mark.parametrize("query", ["state=", "state=eq:", "state=in:", "root_execution_id=", "root_execution_id=in:,",
                                   "workflow_name=in:,", "workflow_name=", "state=in:RUNNING,,ERROR&workflow_name=nope"])
def test_an_empty_value_of_an_indexed_execution_filter_matches_nothing(client, query):
    response = client.http.get(f"/v2/executions?{query}")
    assert response.status_code == 200, response.body
    assert json.loads(response.body) == {"executions": []}


@pytest.mark.parametrize("path", ["/v2/action_executions/.", "/v2/action_executions/..1.0",
                                  "/v2/tasks/615d64c4-02f5-4e4c-8ba5-8cde4c175b71/action_executions/.1.0",
                                  "/v2/action_executions?marker=."])
def test_an_action_execution_id_without_a_task_is_404(client, path):
    response = client.http.get(path)
    _check(response)
    assert response.status_code == 404
    response = client.http.put("/v2/action_executions/.", headers={"Content-Type": "application/json"},
                               body=json.dumps({"state": "SUCCESS"}))
    assert response.status_code == 404


@pytest.mark.parametrize("field", ["id", "workflow_id", "workflow_name", "workflow_namespace", "description",
                                   "source_execution_id"])
@pytest.mark.parametrize("value", [5, 1.5, True, [1], {"a": 1}])
def test_an_execution_create_with_a_text_field_of_another_type_is_400_in_wsmes_words(client, field, value):
    body = {"workflow_name": "nope", field: value}
    response = client.http.post("/v2/executions", headers={"Content-Type": "application/json"}, body=json.dumps(body))
    _check(response)
    assert json.loads(response.body)["faultstring"] == (
        f"Invalid input for field/attribute {field}. Value: '{value}'. Wrong type. "
        f"Expected '<class 'str'>', got '<class '{type(value).__name__}'>'")


@pytest.mark.parametrize("method,path,status", [("GET", "/v2/environments", 200), ("GET", "/v2/workflows/nope", 404),
                                                ("DELETE", "/v2/environments/nope", 404)])
def test_a_request_without_a_body_ignores_its_content_type(client, method, path, status):
    response = client.http.request(method, path, headers={"Content-Type": "text/html"})
    assert response.status_code == status, response.body
