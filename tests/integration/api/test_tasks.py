"""/v2/tasks through the Chalice app, executions run by the shell's delivery
loop. Expected values (fields, their order, JSON strings, messages, codes)
were read from Mistral 23.0.0 answering the same requests."""

from __future__ import annotations

import json
import uuid
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest

from sirocco.actions import ActionContext, default_registry
from sirocco.handlers.runtime import Runtime

from ..shell.delivery import Delivery
from .helpers import call, request

TASK_FIELDS = ["id", "name", "type", "workflow_name", "workflow_namespace", "workflow_id", "workflow_execution_id",
               "tags", "state", "state_info", "project_id", "runtime_context", "published", "processed",
               "created_at", "updated_at", "started_at", "finished_at"]
TASK_GET_FIELDS = TASK_FIELDS[:12] + ["result"] + TASK_FIELDS[12:]
ACTION_LIST_FIELDS = ["id", "workflow_name", "workflow_namespace", "task_execution_id", "state", "state_info", "tags",
                      "name", "description", "project_id", "accepted", "input", "created_at", "updated_at"]
EXECUTION_TREE_FIELDS = ["id", "workflow_id", "workflow_name", "workflow_namespace", "description", "tags", "params",
                         "task_execution_id", "root_execution_id", "state", "state_info", "input", "created_at",
                         "updated_at", "project_id"]
FAIL = "The action raised an exception [action=Fail action, action_ex_id={}, msg='Fail action expected exception.']"


def _flaky(ctx: ActionContext, label: str = "") -> str:
    """Fails on a task's first run (``<task>.1.<item>``), succeeds on later ones."""
    if (ctx.action_execution_id or "x.1.0").split(".")[1] == "1":
        raise RuntimeError(f"flaky {label} failed")
    return f"flaky {label} ok"


@pytest.fixture(autouse=True)
def registry(rt: Runtime) -> Iterator[None]:
    """The std actions and ``test.flaky``, for this module's tests only."""
    before = rt.registry
    rt.registry = default_registry.copy()
    rt.registry.register("test.flaky", _flaky)
    yield
    rt.registry = before


@pytest.fixture()
def delivery(rt: Runtime) -> Iterator[Delivery]:
    d = Delivery(rt)
    d.drain()
    yield d
    d.drain()


def _unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def _run(client: Any, delivery: Delivery, text: str, workflow: str, **body: Any) -> dict[str, Any]:
    """Upload ``text``, start ``workflow``, deliver until it ends; its tasks by name."""
    call(client, "POST", "/v2/workflows", text, status=201)
    ex = call(client, "POST", "/v2/executions", {"workflow_name": workflow, **body}, status=201)
    delivery.run_execution(ex["id"])
    tasks = call(client, "GET", f"/v2/tasks?workflow_execution_id={ex['id']}")["tasks"]
    return {"execution": ex, **{t["name"]: t for t in tasks}}


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_get_and_list_tasks_as_mistral_answers(client, delivery):
    wf = _unique("tfail")
    run = _run(client, delivery, f"""version: '2.0'
{wf}:
  tasks:
    a:
      action: std.echo output="hi"
      publish:
        x: <% task().result %>
      on-success: [b]
    b:
      action: std.fail
""", wf)
    eid = run["execution"]["id"]
    a = call(client, "GET", f"/v2/tasks/{run['a']['id']}")
    assert list(a) == TASK_GET_FIELDS
    assert a["name"] == "a" and a["state"] == "SUCCESS" and a["type"] == "ACTION" and a["processed"] is True
    assert a["result"] == '"hi"' and a["published"] == '{"x": "hi"}' and a["runtime_context"] == "{}"
    assert a["workflow_name"] == wf and a["workflow_execution_id"] == eid and a["workflow_namespace"] == ""
    assert a["workflow_id"] == run["execution"]["workflow_id"] and a["tags"] == []
    assert a["project_id"] == "<default-project>" and len(a["finished_at"]) == 19

    b = call(client, "GET", f"/v2/tasks/{run['b']['id']}")
    action = call(client, "GET", f"/v2/tasks/{b['id']}/action_executions")["action_executions"][0]
    assert b["state"] == "ERROR" and b["state_info"] == FAIL.format(action["id"])
    assert json.loads(b["result"]) == FAIL.format(action["id"]) and b["published"] == "{}"

    listed = call(client, "GET", f"/v2/tasks?workflow_execution_id={eid}")["tasks"]
    assert [list(t) for t in listed] == [TASK_FIELDS, TASK_FIELDS]
    assert [t["name"] for t in listed] == ["a", "b"]
    assert listed[0] == {k: v for k, v in a.items() if k != "result"}

    # across the project (the index), paged one by one with Mistral's next link
    page = call(client, "GET", f"/v2/tasks?workflow_name={wf}&limit=1")
    assert [t["name"] for t in page["tasks"]] == ["a"] and "marker=" in page["next"]
    page = call(client, "GET", _path(page["next"]))
    assert [t["name"] for t in page["tasks"]] == ["b"]
    assert call(client, "GET", _path(page["next"]))["tasks"] == []
    newest = call(client, "GET", f"/v2/tasks?workflow_name={wf}&sort_dirs=desc")["tasks"]
    assert [t["name"] for t in newest] == ["b", "a"]
    assert [t["name"] for t in call(client, "GET", f"/v2/tasks?workflow_name={wf}&state=ERROR")["tasks"]] == ["b"]
    assert call(client, "GET", f"/v2/tasks?workflow_name={wf}&sort_keys=name&sort_dirs=desc&fields=name")["tasks"] \
        == [{"id": b["id"], "name": "b"}, {"id": a["id"], "name": "a"}]
    assert call(client, "GET", f"/v2/tasks/{a['id']}?fields=name,state") == {"id": a["id"], "name": "a",
                                                                               "state": "SUCCESS"}


def test_task_errors_as_mistral_answers(client):
    missing = str(uuid.uuid4())
    assert request(client, "GET", f"/v2/tasks/{missing}") == (404, {
        "faultcode": "Client", "faultstring": f"Task execution not found [id={missing}]", "debuginfo": None})
    assert request(client, "GET", f"/v2/tasks/{missing}/executions")[0] == 404
    assert call(client, "GET", f"/v2/tasks/{missing}/action_executions") == {"action_executions": []}
    assert call(client, "GET", f"/v2/tasks?workflow_execution_id={missing}") == {"tasks": []}
    code, body = request(client, "GET", "/v2/tasks/nope/action_executions")
    assert code == 400 and body["faultstring"] == (
        "Invalid input for field/attribute task_execution_id. Value: 'nope'. unable to convert to uuid. "
        "Error: Expected a uuid but received nope.")
    code, body = request(client, "GET", "/v2/tasks/nope/executions")
    assert code == 400 and body["faultstring"].startswith("Invalid input for field/attribute id. Value: 'nope'.")
    assert request(client, "GET", "/v2/tasks?workflow_execution_id=no%20such")[0] == 400
    assert request(client, "GET", f"/v2/tasks?marker={missing}")[0] == 404
    assert request(client, "GET", "/v2/tasks?limit=x")[0] == 400
    assert request(client, "GET", f"/v2/tasks/{missing}?fields=colour")[0] == 400
    assert request(client, "PUT", f"/v2/tasks/{missing}", {"state": "RUNNING", "reset": True}) == (404, {
        "faultcode": "Client", "faultstring": f"Task execution not found [id={missing}]", "debuginfo": None})


def test_rerun_a_failed_task_with_mistral_validation(client, delivery, rt):
    wf = _unique("rerun")
    run = _run(client, delivery, f"""version: '2.0'
{wf}:
  tasks:
    a:
      action: test.flaky label="a"
      publish:
        said: <% task().result %>
""", wf)
    assert run["execution"]["id"] and run["a"]["state"] == "ERROR"
    path = f"/v2/tasks/{run['a']['id']}"

    def refused(body: Any) -> str:
        code, answer = request(client, "PUT", path, body)
        assert code == 400, (code, answer)
        return answer["faultstring"]

    assert refused({"state": "SUCCESS"}) == "Invalid task state. Only updating task to RUNNING or SKIPPED is supported."
    assert refused({}) == "Invalid task state. Only updating task to RUNNING or SKIPPED is supported."
    assert refused({"state": "RUNNING"}) == "Reset field is mandatory to rerun task."
    assert refused({"state": "RUNNING", "reset": False}) == "Only with-items task has the option to not reset."
    assert refused({"state": "RUNNING", "reset": True, "name": "zz"}) == "Task name does not match."
    assert refused({"state": "RUNNING", "reset": True, "workflow_name": "zz"}) == "Workflow name does not match."
    assert refused({"state": "RUNNING", "reset": "maybe"}) == (
        "Invalid input for field/attribute task. Value: '{'state': 'RUNNING', 'reset': 'maybe'}'. "
        "Value not an unambiguous boolean: maybe")
    assert refused({"state": "RUNNING", "reset": True, "env": "notjson"}) == (
        "Invalid input for field/attribute task. Value: '{'state': 'RUNNING', 'reset': True, 'env': 'notjson'}'. "
        "Expecting value: line 1 column 1 (char 0)")
    assert refused([]) == "Request is not in valid JSON format"

    answer = call(client, "PUT", path, {"id": run["a"]["id"], "state": "RUNNING", "reset": True,
                                        "env": json.dumps({"k": 1})})
    assert list(answer) == TASK_GET_FIELDS and answer["state"] == "RUNNING" and answer["state_info"] is None
    call(client, "PUT", path, {"state": "RUNNING", "reset": True})  # the same request again: one rerun
    delivery.run_execution(run["execution"]["id"])
    task = call(client, "GET", path)
    assert task["state"] == "SUCCESS" and task["published"] == '{"said": "flaky a ok"}'
    execution = call(client, "GET", f"/v2/executions/{run['execution']['id']}")
    assert execution["state"] == "SUCCESS" and json.loads(execution["params"])["env"] == {"k": 1}
    assert len(call(client, "GET", f"{path}/action_executions")["action_executions"]) == 2
    assert refused({"state": "RUNNING", "reset": True}) == (
        "The current task execution must be in ERROR for rerun. Only updating task to rerun is supported.")


def test_rerun_only_the_failed_items_of_a_with_items_task(client, delivery):
    wf = _unique("items")
    run = _run(client, delivery, f"""version: '2.0'
{wf}:
  tasks:
    w:
      with-items: i in [1, 2]
      action: test.flaky label=<% $.i %>
""", wf)
    task = run["w"]
    assert task["state"] == "ERROR" and task["runtime_context"] == json.dumps({"with_items": {"capacity": None,
                                                                                              "count": 2}})
    answer = call(client, "PUT", f"/v2/tasks/{task['id']}", {"state": "RUNNING", "reset": False})
    assert answer["state"] == "RUNNING"
    delivery.run_execution(run["execution"]["id"])
    done = call(client, "GET", f"/v2/tasks/{task['id']}")
    assert done["state"] == "SUCCESS" and json.loads(done["result"]) == ["flaky 1 ok", "flaky 2 ok"]
    actions = call(client, "GET", f"/v2/tasks/{task['id']}/action_executions")["action_executions"]
    assert [a["state"] for a in actions] == ["ERROR", "ERROR", "SUCCESS", "SUCCESS"]


def test_skipping_a_failed_task_follows_on_skip_and_the_execution_succeeds(client, delivery):
    # as Mistral 23.0.0 answers and runs the same PUT (tests/unit/engine/fixtures/skip-*.yaml)
    wf = _unique("skip")
    run = _run(client, delivery, f"""version: '2.0'
{wf}:
  tasks:
    a:
      action: std.fail
      publish-on-skip: {{skipped: yes}}
      on-skip: [b]
    b:
      action: std.echo output="after the skip"
""", wf)
    assert call(client, "GET", f"/v2/executions/{run['execution']['id']}")["state"] == "ERROR"
    answer = call(client, "PUT", f"/v2/tasks/{run['a']['id']}", {"state": "SKIPPED"})
    assert answer["state"] == "SKIPPED" and answer["state_info"] == "Task was skipped."
    assert delivery.run_execution(run["execution"]["id"]).state == "SUCCESS"
    tasks = call(client, "GET", f"/v2/executions/{run['execution']['id']}/tasks")["tasks"]
    assert [(t["name"], t["state"]) for t in tasks] == [("a", "SKIPPED"), ("b", "SUCCESS")]
    assert json.loads(tasks[0]["published"]) == {"skipped": True}
    # a second skip of the same task is refused: it is no longer in ERROR
    code, body = request(client, "PUT", f"/v2/tasks/{run['a']['id']}", {"state": "SKIPPED"})
    assert code == 400 and "must be in ERROR" in body["faultstring"]


def test_a_task_of_an_execution_that_succeeded_is_not_rerun(client, delivery):
    wf = _unique("handled")
    run = _run(client, delivery, f"""version: '2.0'
{wf}:
  tasks:
    a:
      action: std.fail
      on-error: [e]
    e:
      action: std.noop
""", wf)
    code, body = request(client, "PUT", f"/v2/tasks/{run['a']['id']}", {"state": "RUNNING", "reset": True})
    assert code == 400 and body["faultstring"] == (
        f"Can't change workflow execution state from SUCCESS to RUNNING. [workflow={wf}, "
        f"execution_id={run['execution']['id']}]")


def test_sub_workflow_executions_of_a_task(client, delivery):
    wf = _unique("parent")
    run = _run(client, delivery, f"""version: '2.0'
{wf}_sub:
  input: [x]
  output:
    y: <% $.x %>
  tasks:
    s:
      action: std.echo output=<% $.x %>
{wf}:
  tasks:
    sub:
      workflow: {wf}_sub x=3
""", wf)
    sub = call(client, "GET", f"/v2/tasks/{run['sub']['id']}")
    assert sub["type"] == "WORKFLOW" and sub["state"] == "SUCCESS" and sub["result"] == '{"y": 3}'
    tree = call(client, "GET", f"/v2/tasks/{sub['id']}/executions")["executions"]
    assert [list(e) for e in tree] == [EXECUTION_TREE_FIELDS]
    child = tree[0]
    assert child["workflow_name"] == f"{wf}_sub" and child["state"] == "SUCCESS" and child["input"] == '{"x": 3}'
    assert child["task_execution_id"] == sub["id"] and child["root_execution_id"] == run["execution"]["id"]
    with_output = call(client, "GET", f"/v2/tasks/{sub['id']}/executions?include_output=true")["executions"]
    assert with_output[0]["output"] == '{"y": 3}'
    assert call(client, "GET", f"/v2/tasks/{sub['id']}/executions?errors_only=true") == {"executions": []}
    assert call(client, "GET", f"/v2/tasks/{sub['id']}/action_executions") == {"action_executions": []}
    leaf = call(client, "GET", f"/v2/tasks?workflow_execution_id={child['id']}")["tasks"][0]
    assert call(client, "GET", f"/v2/tasks/{leaf['id']}/executions") == {"executions": []}
