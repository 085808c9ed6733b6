"""The minimal Mistral v2 API in Mistral's wire format (expected values were
read from Mistral 23.0.0 answering the same requests)."""

from __future__ import annotations

import json
import uuid

from .helpers import get, start, upload

DOC = """version: '2.0'
hello:
  input:
    - name
    - greeting: "Hi"
  output:
    msg: <% $.msg %>
  tasks:
    say:
      action: std.echo output="<% $.greeting %> <% $.name %>"
      publish:
        msg: <% task().result %>
second:
  tasks:
    t:
      action: std.noop
"""

# what Mistral 23.0.0 stored and answered for DOC
HELLO_DEFINITION = ("version: '2.0'\nhello:\n  input:\n  - name\n  - greeting: Hi\n  output:\n    msg: <% $.msg %>\n"
                    "  tasks:\n    say:\n      action: std.echo output=\"<% $.greeting %> <% $.name %>\"\n"
                    "      publish:\n        msg: <% task().result %>\n")
HELLO_CHECKSUM = "7ad9bb67b646eee42d7e0f9bfb4702d4"
WORKFLOW_FIELDS = ["id", "name", "namespace", "input", "interface", "definition", "checksum", "tags", "scope",
                   "project_id", "created_at"]
EXECUTION_FIELDS = ["id", "workflow_id", "workflow_name", "workflow_namespace", "description", "tags", "params",
                    "task_execution_id", "root_execution_id", "state", "state_info", "input", "output",
                    "created_at", "updated_at", "project_id"]
TASK_FIELDS = ["id", "name", "type", "workflow_name", "workflow_namespace", "workflow_id", "workflow_execution_id",
               "tags", "state", "state_info", "project_id", "runtime_context", "published", "processed",
               "created_at", "updated_at", "started_at", "finished_at"]


def _post(client, path, body, content_type="application/json"):
    return client.http.post(path, headers={"Content-Type": content_type}, body=body)


def test_workflows_upload_and_get_as_mistral_answers(client):
    ns = f"ns-{uuid.uuid4().hex[:8]}"
    response = _post(client, f"/v2/workflows?namespace={ns}", DOC, "text/plain")
    assert response.status_code == 201
    created = json.loads(response.body)["workflows"]
    assert [w["name"] for w in created] == ["hello", "second"]
    hello = created[0]
    assert list(hello) == WORKFLOW_FIELDS
    assert hello["definition"] == HELLO_DEFINITION and hello["checksum"] == HELLO_CHECKSUM
    assert hello["input"] == 'name, greeting="Hi"'
    assert hello["interface"] == {"input": ["name", {"greeting": "Hi"}], "output": ["msg"]}
    assert hello["namespace"] == ns and hello["scope"] == "private" and hello["project_id"] == "<default-project>"
    assert hello["tags"] == [] and len(hello["created_at"]) == 19
    assert created[1]["definition"] == "version: '2.0'\nsecond:\n  tasks:\n    t:\n      action: std.noop\n"

    got = get(client, f"/v2/workflows/hello?namespace={ns}")
    assert list(got) == WORKFLOW_FIELDS + ["updated_at"]
    assert got["interface"] == json.dumps(hello["interface"]) and got["updated_at"] is None
    assert get(client, f"/v2/workflows/{hello['id']}")["name"] == "hello"

    again = _post(client, f"/v2/workflows?namespace={ns}", DOC, "text/plain")
    assert again.status_code == 409
    assert json.loads(again.body)["faultstring"].startswith("Duplicate entry for WorkflowDefinition")

    missing = client.http.get(f"/v2/workflows/nope?namespace={ns}")
    assert missing.status_code == 404
    assert json.loads(missing.body) == {"faultcode": "Client", "debuginfo": None,
                                        "faultstring": f"Workflow not found [workflow_identifier=nope, namespace={ns}]"}


def test_an_invalid_definition_is_refused_with_400_and_nothing_is_stored(client):
    name = f"ok_{uuid.uuid4().hex[:8]}"
    text = f"version: '2.0'\n{name}:\n  tasks:\n    t:\n      action: std.noop\nbad:\n  tasks:\n    t:\n" \
           "      action: std.noop\n      on-success: [nope]\n"
    response = _post(client, "/v2/workflows", text, "text/plain")
    assert response.status_code == 400
    body = json.loads(response.body)
    assert list(body) == ["faultstring"] and "nope" in body["faultstring"]
    assert client.http.get(f"/v2/workflows/{name}").status_code == 404
    assert _post(client, "/v2/workflows", "", "text/plain").status_code == 400
    assert _post(client, "/v2/workflows?scope=galaxy", text, "text/plain").status_code == 400


def test_execution_create_and_get_as_mistral_answers(client, rt, delivery):
    ns = f"ns-{uuid.uuid4().hex[:8]}"
    hello = upload_ns(client, ns)
    body = {"workflow_id": hello["id"], "input": {"name": "obj"}, "params": {"env": {"a": 1}}, "description": "d1"}
    response = _post(client, "/v2/executions", json.dumps(body))
    assert response.status_code == 201
    ex = json.loads(response.body)
    assert list(ex) == EXECUTION_FIELDS
    assert ex["state"] == "RUNNING" and ex["state_info"] is None and ex["output"] == "{}"
    assert json.loads(ex["input"]) == {"name": "obj", "greeting": "Hi"}
    assert ex["params"] == json.dumps({"env": {"a": 1}, "namespace": ns})
    assert ex["workflow_name"] == "hello" and ex["workflow_namespace"] == ns and ex["description"] == "d1"
    assert ex["workflow_id"] == hello["id"] and ex["task_execution_id"] is None and ex["tags"] == []
    assert ex["created_at"] == ex["updated_at"] and len(ex["created_at"]) == 19
    # readable at once, before the engine applied the start
    early = get(client, f"/v2/executions/{ex['id']}")
    assert early["state"] == "IDLE" and early["input"] == ex["input"] and early["params"] == ex["params"]
    assert early["workflow_id"] == hello["id"] and early["description"] == "d1"

    delivery.run_execution(ex["id"])
    got = get(client, f"/v2/executions/{ex['id']}")
    assert list(got) == EXECUTION_FIELDS + ["published_global"]
    assert got["state"] == "SUCCESS" and json.loads(got["output"]) == {"msg": "Hi obj"}
    assert got["description"] == "d1" and got["workflow_namespace"] == ns and got["workflow_id"] == hello["id"]
    assert json.loads(got["params"])["env"] == {"a": 1}

    tasks = get(client, f"/v2/executions/{ex['id']}/tasks")["tasks"]
    assert [list(t) for t in tasks] == [TASK_FIELDS]
    task = tasks[0]
    assert task["name"] == "say" and task["state"] == "SUCCESS" and task["type"] == "ACTION"
    assert task["workflow_execution_id"] == ex["id"] and task["workflow_id"] == hello["id"]
    assert json.loads(task["published"]) == {"msg": "Hi obj"} and task["processed"] is True
    assert task["runtime_context"] == "{}" and task["finished_at"] >= task["started_at"]


def upload_ns(client, ns):
    response = _post(client, f"/v2/workflows?namespace={ns}", DOC, "text/plain")
    assert response.status_code == 201, response.body
    return json.loads(response.body)["workflows"][0]


def test_refused_starts_answer_400_or_404_and_create_nothing(client, rt):
    n = uuid.uuid4().hex[:8]
    upload(client, DOC.replace("hello", f"hello_{n}").replace("second", f"second_{n}"))

    def refused(body, status):
        response = _post(client, "/v2/executions", body if isinstance(body, str) else json.dumps(body))
        assert response.status_code == status, response.body
        answer = json.loads(response.body)
        assert answer["faultcode"] == "Client" and answer["debuginfo"] is None
        return answer["faultstring"]

    assert "missing=['name']" in refused({"workflow_name": f"hello_{n}", "input": "{}"}, 400)
    assert "unexpected=['zzz']" in refused({"workflow_name": f"hello_{n}", "input": '{"name": 1, "zzz": 1}'}, 400)
    assert refused({"input": "{}"}, 400) == "Workflow ID or workflow name must be provided. Workflow ID is recommended."
    assert refused("not json", 400) == "Request is not in valid JSON format"
    assert refused({"workflow_name": f"hello_{n}", "input": "{not json"}, 400).startswith("input is not valid JSON")
    assert refused({"workflow_name": "no_such_workflow"}, 404) == \
        "Workflow not found [workflow_identifier=no_such_workflow, namespace=]"
    assert refused({"workflow_name": f"hello_{n}", "input": '{"name": 1}', "params": '{"env": "nope"}'}, 400) == \
        "Environment is not found: nope"
    missing = client.http.get(f"/v2/executions/{uuid.uuid4()}")
    assert missing.status_code == 404 and json.loads(missing.body)["faultstring"].startswith("WorkflowExecution not found")
    unknown = str(uuid.uuid4())
    assert get(client, f"/v2/executions/{unknown}/tasks", 404)["faultstring"] == \
        f"WorkflowExecution not found [id={unknown}]"


def test_an_id_given_by_the_client_makes_the_create_idempotent(client, rt, delivery):
    n = uuid.uuid4().hex[:8]
    upload(client, DOC.replace("hello", f"hello_{n}").replace("second", f"second_{n}"))
    eid = str(uuid.uuid4())
    first = start(client, f"hello_{n}", {"name": "A"}, id=eid)
    repeat = start(client, f"hello_{n}", {"name": "A"}, id=eid)  # before the engine saw the first
    assert first["id"] == repeat["id"] == eid
    delivery.run_execution(eid)
    assert delivery.messages["engine"] >= 1
    later = start(client, f"hello_{n}", {"name": "B"}, id=eid)  # after: the existing execution
    assert later["state"] == "SUCCESS" and json.loads(later["input"])["name"] == "A"
    assert len(rt.executions.list_tasks(eid)) == 1


def test_the_stored_header_never_overwrites_an_execution_the_engine_started(client, rt, delivery):
    from sirocco.api import executions

    n = uuid.uuid4().hex[:8]
    upload(client, DOC.replace("hello", f"hello_{n}").replace("second", f"second_{n}"))
    ex = start(client, f"hello_{n}", {"name": "A"})
    delivery.run_execution(ex["id"])
    before = rt.executions.load(ex["id"]).version
    executions._placeholder(rt, ex["id"], f"hello_{n}", {"name": "A"}, {}, 1.0, {})  # a late one: dropped
    assert rt.executions.load(ex["id"]).version == before
    assert get(client, f"/v2/executions/{ex['id']}")["state"] == "SUCCESS"


def test_the_engine_applies_its_start_again_when_the_apis_header_lands_first(client, rt, delivery, monkeypatch):
    """The API sends the start, then stores the header: an engine that loaded
    nothing in between loses the version check, reloads and applies again."""
    from sirocco.api import executions

    n = uuid.uuid4().hex[:8]
    upload(client, DOC.replace("hello", f"hello_{n}").replace("second", f"second_{n}"))
    real_placeholder = executions._placeholder
    monkeypatch.setattr(executions, "_placeholder", lambda *a, **k: None)  # the API is slow to store it
    ex = start(client, f"hello_{n}", {"name": "A"})
    load = rt.executions.load

    def load_then_api_stores(execution_id, **kwargs):
        found = load(execution_id, **kwargs)
        if found is None:  # between the engine's load and its save, the API's header lands
            real_placeholder(rt, execution_id, f"hello_{n}", {"name": "A"}, {"namespace": ""}, rt.clock(),
                             {"project_id": "<default-project>", "namespace": ""})
        return found

    monkeypatch.setattr(rt.executions, "load", load_then_api_stores)
    delivery.run_execution(ex["id"])
    assert delivery.failures["engine"] == 0
    assert get(client, f"/v2/executions/{ex['id']}")["state"] == "SUCCESS"
