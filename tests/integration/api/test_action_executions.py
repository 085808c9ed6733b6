"""/v2/action_executions through the Chalice app: standalone actions (run in
the API or through the executor queue), completing async actions, deleting.
Expected values (fields, their order, JSON strings, messages, codes) were
read from Mistral 23.0.0 answering the same requests."""

from __future__ import annotations

import json
import uuid
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest

from sirocco.handlers.runtime import Runtime
from sirocco.persistence.settings import DEFAULT_PROJECT

from ..shell.delivery import Delivery
from .helpers import call, request

FIELDS = ["id", "workflow_name", "workflow_namespace", "task_execution_id", "state", "state_info", "tags", "name",
          "description", "project_id", "accepted", "input", "output", "created_at", "updated_at"]
LIST_FIELDS = [f for f in FIELDS if f != "output"]
FAIL = "The action raised an exception [action=Fail action, action_ex_id=None, msg='Fail action expected exception.']"


@pytest.fixture()
def delivery(rt: Runtime) -> Iterator[Delivery]:
    d = Delivery(rt)
    d.drain()
    yield d
    d.drain()


def _unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def _post(client: Any, body: Any, status: int = 201) -> Any:
    return call(client, "POST", "/v2/action_executions", body, status=status)


def _refused(client: Any, method: str, path: str, body: Any = None, status: int = 400) -> str:
    code, answer = request(client, method, path, body)
    assert code == status, (code, answer)
    assert list(answer) == ["faultcode", "faultstring", "debuginfo"]
    return answer["faultstring"]


def test_a_sync_action_runs_in_the_api_and_is_not_stored_by_default(client):
    assert _post(client, {"name": "std.echo", "input": {"output": "hey"}}) == {
        "id": None, "workflow_name": None, "workflow_namespace": "", "task_execution_id": None, "state": "SUCCESS",
        "state_info": None, "tags": None, "name": "std.echo", "description": None, "project_id": None,
        "accepted": None, "input": '{"output": "hey"}', "output": '{"result": "hey"}', "created_at": None,
        "updated_at": None}
    # as python-mistralclient sends it: input and params as JSON text
    ran = _post(client, {"name": "std.echo", "input": '{"output": "hey2"}', "params": '{"run_sync": true}'})
    assert ran["state"] == "SUCCESS" and ran["output"] == '{"result": "hey2"}' and ran["id"] is None
    failed = _post(client, {"name": "std.fail", "params": {"run_sync": True}})
    assert failed["state"] == "ERROR" and failed["output"] == json.dumps({"result": FAIL})


def test_a_sync_action_with_save_result_is_stored(client):
    saved = _post(client, {"name": "std.echo", "input": {"output": "hey3"}, "description": "dd",
                           "params": {"run_sync": True, "save_result": True}})
    assert list(saved) == FIELDS
    assert saved["state"] == "SUCCESS" and saved["output"] == '{"result": "hey3"}' and saved["accepted"] is False
    assert saved["description"] == "dd" and saved["project_id"] == DEFAULT_PROJECT and saved["updated_at"] is None
    assert saved["created_at"][10] == "T" and saved["created_at"].endswith(".000000")  # Mistral's create answer
    got = call(client, "GET", f"/v2/action_executions/{saved['id']}")
    assert got == {**saved, "created_at": saved["created_at"][:19].replace("T", " ")}
    assert call(client, "GET", f"/v2/action_executions/{saved['id']}?fields=state,output") == {
        "id": saved["id"], "state": "SUCCESS", "output": '{"result": "hey3"}'}
    plain = _post(client, {"name": "std.fail", "params": {"run_sync": True, "save_result": True}})
    assert plain["state"] == "ERROR" and plain["description"] is None and plain["output"] == json.dumps(
        {"result": FAIL})


def test_action_execution_requests_mistral_refuses(client):
    assert _refused(client, "POST", "/v2/action_executions", {"input": {"foo": 1}}) == (
        "Please provide at least action name to run action.")
    assert _refused(client, "POST", "/v2/action_executions", {"name": "std.nope"}) == (
        "Failed to find action [action_name=std.nope]")
    assert _refused(client, "POST", "/v2/action_executions", {"name": "std.async_noop",
                                                               "params": {"run_sync": True}}) == (
        "Action does not support synchronous execution.")
    assert _refused(client, "POST", "/v2/action_executions", {"name": "std.echo", "input": "notjson"}) == (
        "Invalid input for field/attribute action_ex. Value: '{'name': 'std.echo', 'input': 'notjson'}'. "
        "Expecting value: line 1 column 1 (char 0)")
    assert _refused(client, "POST", "/v2/action_executions", {"name": "std.echo", "input": [1]}) == (
        "Invalid input for field/attribute action_ex. Value: '{'name': 'std.echo', 'input': [1]}'. "
        "the JSON object must be str, bytes or bytearray, not list")
    assert _refused(client, "POST", "/v2/action_executions", {"name": "std.echo", "params": "[1]"}) == (
        "JsonType field value must be a dictionary [actual=[1]]")
    response = client.http.post("/v2/action_executions", headers={"Content-Type": "application/json"}, body="xx")
    assert response.status_code == 400 and json.loads(response.body)["faultstring"] == (
        "Request is not in valid JSON format")
    # Mistral answers 500 for an input that does not fit the action; Sirocco 400
    assert _refused(client, "POST", "/v2/action_executions", {"name": "std.echo", "input": {"foo": 1}}).startswith(
        "Invalid input [name=std.echo")
    missing = str(uuid.uuid4())
    assert request(client, "GET", f"/v2/action_executions/{missing}") == (404, {
        "faultcode": "Client", "faultstring": f"ActionExecution not found [id={missing}]", "debuginfo": None})
    assert _refused(client, "PUT", f"/v2/action_executions/{missing}", {"state": "SUCCESS", "output": {"a": 1}},
                    status=404) == f"ActionExecution not found [id={missing}]"
    assert request(client, "GET", "/v2/action_executions?task_execution_id=nope")[0] == 400


def test_an_async_run_goes_through_the_executor_and_completes_its_record(client, delivery):
    started = _post(client, {"name": "std.echo", "input": {"output": "hey4"}, "params": {"save_result": True}})
    assert list(started) == FIELDS
    assert started["state"] == "RUNNING" and started["output"] is None and started["accepted"] is False
    assert started["description"] == "" and started["updated_at"] is None and len(started["created_at"]) == 19
    delivery.run()
    done = call(client, "GET", f"/v2/action_executions/{started['id']}")
    assert done["state"] == "SUCCESS" and done["output"] == '{"result": "hey4"}' and done["accepted"] is True
    assert done["created_at"] == started["created_at"] and done["updated_at"] is not None


def test_an_async_action_completed_with_put(client, delivery):
    started = _post(client, {"name": "std.async_noop"})
    assert started["state"] == "RUNNING"
    delivery.run()  # the executor starts it; it stays RUNNING until its result comes
    path = f"/v2/action_executions/{started['id']}"
    assert call(client, "GET", path)["state"] == "RUNNING"
    assert _refused(client, "PUT", path, {"state": "BOGUS"}) == (
        "Error. Expected one of ['SUCCESS', 'ERROR', 'CANCELLED', 'PAUSED', 'RUNNING'], actual: BOGUS")
    assert _refused(client, "PUT", path, {"output": {"a": 1}}) == (
        "Error. Expected one of ['SUCCESS', 'ERROR', 'CANCELLED', 'PAUSED', 'RUNNING'], actual: Unset")
    assert _refused(client, "PUT", path, {"state": "ERROR", "output": "oops"}) == (
        "Invalid input for field/attribute action_ex. Value: '{'state': 'ERROR', 'output': 'oops'}'. "
        "Expecting value: line 1 column 1 (char 0)")
    assert _refused(client, "PUT", path, {"state": "SUCCESS", "output": "5"}) == (
        "JsonType field value must be a dictionary [actual=5]")
    done = call(client, "PUT", path, {"state": "SUCCESS", "output": '{"x": 1}'})
    assert list(done) == FIELDS
    assert done["state"] == "SUCCESS" and done["output"] == '{"result": {"x": 1}}' and done["accepted"] is True
    assert call(client, "GET", path) == done
    # Mistral answers 500 ("Action ... is already completed"); Sirocco 409
    assert _refused(client, "PUT", path, {"state": "ERROR"}, status=409) == (
        f"Action {started['id']} is already completed")
    failed = _post(client, {"name": "std.async_noop"})
    assert call(client, "PUT", f"/v2/action_executions/{failed['id']}", {"state": "ERROR"})["output"] == (
        '{"result": "Unknown error"}')
    cancelled = _post(client, {"name": "std.async_noop"})
    answer = call(client, "PUT", f"/v2/action_executions/{cancelled['id']}", {"state": "CANCELLED"})
    assert answer["state"] == "CANCELLED" and answer["output"] == '{"result": null}'


def _workflow(client: Any, delivery: Delivery, text: str, name: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """Start ``name`` and deliver until its first task's action waits: (execution id, task, action)."""
    call(client, "POST", "/v2/workflows", text, status=201)
    ex = call(client, "POST", "/v2/executions", {"workflow_name": name}, status=201)
    delivery.run()
    task = call(client, "GET", f"/v2/tasks?workflow_execution_id={ex['id']}")["tasks"][0]
    action = call(client, "GET", f"/v2/tasks/{task['id']}/action_executions")["action_executions"][0]
    return ex["id"], task, action


ASYNC_WF = """version: '2.0'
{name}:
  tasks:
    a:
      action: std.async_noop
      publish:
        got: <% task().result %>
      on-error: [e]
    e:
      action: std.noop
"""


def test_completing_a_workflow_action_drives_its_task(client, delivery):
    name = _unique("wfasync")
    eid, task, action = _workflow(client, delivery, ASYNC_WF.format(name=name), name)
    assert list(action) == LIST_FIELDS
    assert action["state"] == "RUNNING" and action["name"] == "std.async_noop" and action["accepted"] is False
    assert action["workflow_name"] == name and action["task_execution_id"] == task["id"]
    answer = call(client, "PUT", f"/v2/action_executions/{action['id']}", {"state": "SUCCESS",
                                                                           "output": {"x": 1}})
    assert answer["state"] == "SUCCESS" and answer["output"] == '{"result": {"x": 1}}'
    delivery.run_execution(eid)
    got = call(client, "GET", f"/v2/tasks/{task['id']}")
    assert got["state"] == "SUCCESS" and got["result"] == '{"x": 1}' and got["published"] == '{"got": {"x": 1}}'
    listed = call(client, "GET", f"/v2/tasks/{task['id']}/action_executions?include_output=true")
    assert listed["action_executions"][0]["output"] == '{"result": {"x": 1}}'
    assert call(client, "GET", f"/v2/executions/{eid}")["state"] == "SUCCESS"

    name = _unique("wfasync")
    eid, task, action = _workflow(client, delivery, ASYNC_WF.format(name=name), name)
    call(client, "PUT", f"/v2/action_executions/{action['id']}", {"state": "ERROR"})
    delivery.run_execution(eid)
    got = call(client, "GET", f"/v2/tasks/{task['id']}")
    assert got["state"] == "ERROR" and got["state_info"] == "Unknown error" and got["result"] == '"Unknown error"'
    tasks = call(client, "GET", f"/v2/tasks?workflow_execution_id={eid}")["tasks"]
    assert [(t["name"], t["state"]) for t in tasks] == [("a", "ERROR"), ("e", "SUCCESS")]

    # CANCELLED: the task is cancelled, no transition follows, the execution is CANCELLED (Mistral 23.0.0)
    name = _unique("wfasync")
    eid, task, action = _workflow(client, delivery, ASYNC_WF.format(name=name), name)
    assert call(client, "PUT", f"/v2/action_executions/{action['id']}", {"state": "CANCELLED"})["state"] == (
        "CANCELLED")
    delivery.run_execution(eid)
    assert call(client, "GET", f"/v2/tasks/{task['id']}")["state"] == "CANCELLED"
    assert [t["name"] for t in call(client, "GET", f"/v2/tasks?workflow_execution_id={eid}")["tasks"]] == ["a"]
    ex = call(client, "GET", f"/v2/executions/{eid}")
    assert (ex["state"], ex["state_info"]) == ("CANCELLED", "Cancelled tasks: a")


def test_listing_action_executions_across_the_project(client, delivery):
    mark = _unique("list")
    first = _post(client, {"name": "std.echo", "input": {"output": 1}, "description": mark,
                           "params": {"save_result": True, "run_sync": True}})
    second = _post(client, {"name": "std.async_noop", "description": mark})
    page = call(client, "GET", f"/v2/action_executions?description={mark}&limit=1")
    assert [a["id"] for a in page["action_executions"]] == [first["id"]]
    assert list(page["action_executions"][0]) == LIST_FIELDS
    parts = urlsplit(page["next"])
    assert parts.path == "/v2/action_executions" and f"description={mark}" in parts.query
    page = call(client, "GET", f"{parts.path}?{parts.query}")
    assert [a["id"] for a in page["action_executions"]] == [second["id"]]
    both = call(client, "GET", f"/v2/action_executions?description={mark}&include_output=true"
                               "&sort_dirs=desc")["action_executions"]
    assert [(a["id"], a["output"]) for a in both] == [(second["id"], None), (first["id"], '{"result": 1}')]
    running = call(client, "GET", f"/v2/action_executions?description={mark}&state=RUNNING")
    assert [a["id"] for a in running["action_executions"]] == [second["id"]]
    assert _refused(client, "GET", "/v2/action_executions?workflow_namespace=x") == (
        'Unknown argument: "workflow_namespace"')


def test_an_adhoc_action_runs_on_its_own(client, delivery, rt, ns):
    name = _unique("greet")
    rt.definitions.create("action", name, namespace=ns, project_id=DEFAULT_PROJECT, definition=f"""version: '2.0'
{name}:
  base: std.echo
  base-input:
    output: "Hello <% $.name %>"
  input: [name]
  output: <% $ + "!" %>
""")
    ran = _post(client, {"name": name, "input": {"name": "ann"}, "workflow_namespace": ns})
    # Mistral 23 leaves a synchronous ad-hoc run's output untransformed; Sirocco applies it, as to async runs
    assert ran["name"] == name and ran["input"] == '{"name": "ann"}' and ran["output"] == '{"result": "Hello ann!"}'
    started = _post(client, {"name": name, "input": {"name": "bob"}, "workflow_namespace": ns,
                             "params": {"save_result": True}})
    delivery.run()
    done = call(client, "GET", f"/v2/action_executions/{started['id']}")
    assert done["state"] == "SUCCESS" and done["output"] == '{"result": "Hello bob!"}'
    assert _refused(client, "POST", "/v2/action_executions", {"name": name, "input": {},
                                                               "workflow_namespace": ns}).startswith(
        f"Invalid input [name={name}")


def test_deleting_action_executions(client, delivery, monkeypatch):
    saved = _post(client, {"name": "std.echo", "input": {"output": 1}, "params": {"run_sync": True,
                                                                                   "save_result": True}})
    path = f"/v2/action_executions/{saved['id']}"
    assert _refused(client, "DELETE", path, status=403) == "Action execution deletion is not allowed."
    monkeypatch.setenv("SIROCCO_ALLOW_ACTION_EXECUTION_DELETION", "true")
    running = _post(client, {"name": "std.async_noop"})
    assert _refused(client, "DELETE", f"/v2/action_executions/{running['id']}", status=403) == (
        "Only completed action execution can be deleted.")
    name = _unique("wfdel")
    _, _, action = _workflow(client, delivery, ASYNC_WF.format(name=name), name)
    assert _refused(client, "DELETE", f"/v2/action_executions/{action['id']}", status=403) == (
        "Only ad-hoc action execution can be deleted.")
    assert request(client, "DELETE", path) == (204, None)
    assert request(client, "GET", path)[0] == 404
    assert request(client, "DELETE", path)[0] == 404
