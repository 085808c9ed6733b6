"""One project's records are invisible to another: reading, listing, changing
or starting them answers as if they did not exist (404, never 403), except a
public workflow, which others may read and start but not change (Mistral's scope)."""

from __future__ import annotations

from typing import Any

import pytest

from ..shell.delivery import Delivery
from .conftest import PROJECT_A, PROJECT_B, Caller

WORKFLOW = """version: '2.0'
{name}:
  input: [who]
  tasks:
    greet:
      action: std.echo output="hello <% $.who %>"
"""


@pytest.fixture
def world(alice: Caller, delivery: Delivery, ns: str) -> dict[str, Any]:
    """Project A's private workflow, an ended execution of it, its task and action run, an environment."""
    name = f"wf_{ns}"
    workflow = alice.call("POST", f"/v2/workflows?namespace={ns}", WORKFLOW.format(name=name), 201)["workflows"][0]
    execution = alice.call("POST", "/v2/executions", {"workflow_name": name, "workflow_namespace": ns,
                                                      "input": {"who": "ann"}}, 201)
    assert delivery.run_execution(execution["id"]).state == "SUCCESS"
    task = alice.call("GET", f"/v2/executions/{execution['id']}/tasks")["tasks"][0]
    action = alice.call("GET", f"/v2/tasks/{task['id']}/action_executions")["action_executions"][0]
    environment = alice.call("POST", "/v2/environments", {"name": f"env_{ns}", "variables": {"k": "secret"}}, 201)
    return {"name": name, "ns": ns, "workflow": workflow, "execution": execution, "task": task, "action": action,
            "environment": environment}


def _ids(answer: dict[str, Any], key: str) -> set[str]:
    return {item["id"] for item in answer[key]}


def test_records_carry_their_project(alice: Caller, world: dict[str, Any]) -> None:
    assert world["execution"]["project_id"] == PROJECT_A
    assert alice.call("GET", f"/v2/executions/{world['execution']['id']}")["project_id"] == PROJECT_A


def test_another_project_cannot_see_an_execution(bob: Caller, world: dict[str, Any]) -> None:
    eid = world["execution"]["id"]
    for path in (f"/v2/executions/{eid}", f"/v2/executions/{eid}/tasks", f"/v2/executions/{eid}/report",
                 f"/v2/executions/{eid}/executions", f"/v2/executions/{eid}/graph"):
        code, body = bob.request("GET", path)
        assert (code, body["faultstring"]) == (404, f"WorkflowExecution not found [id={eid}]"), path


def test_another_project_cannot_list_an_execution(bob: Caller, alice: Caller, world: dict[str, Any]) -> None:
    eid = world["execution"]["id"]
    assert eid in _ids(alice.call("GET", "/v2/executions"), "executions")
    for query in ("", "?all_projects=true", f"?project_id={PROJECT_A}", f"?workflow_name={world['name']}"):
        assert eid not in _ids(bob.call("GET", f"/v2/executions{query}"), "executions"), query
    assert bob.call("GET", f"/v2/executions?project_id={PROJECT_A}")["executions"] == []
    assert world["task"]["id"] not in _ids(bob.call("GET", "/v2/tasks"), "tasks")
    assert world["action"]["id"] not in _ids(bob.call("GET", "/v2/action_executions"), "action_executions")


def test_another_project_cannot_change_or_delete_an_execution(bob: Caller, alice: Caller,
                                                              world: dict[str, Any]) -> None:
    eid = world["execution"]["id"]
    assert bob.request("PUT", f"/v2/executions/{eid}", {"description": "mine now"})[0] == 404
    assert bob.request("DELETE", f"/v2/executions/{eid}")[0] == 404
    assert bob.request("DELETE", f"/v2/executions/{eid}?force=true")[0] == 404
    assert bob.request("POST", "/v2/executions", {"source_execution_id": eid})[0] == 404
    assert alice.call("GET", f"/v2/executions/{eid}")["description"] == ""


def test_another_project_cannot_reach_tasks_or_action_runs(bob: Caller, world: dict[str, Any]) -> None:
    tid, aid = world["task"]["id"], world["action"]["id"]
    assert bob.request("GET", f"/v2/tasks/{tid}")[0] == 404
    assert bob.request("PUT", f"/v2/tasks/{tid}", {"state": "RUNNING", "reset": True})[0] == 404
    assert bob.request("GET", f"/v2/tasks/{tid}/action_executions")[0] == 404
    assert bob.request("GET", f"/v2/tasks/{tid}/action_executions/{aid}")[0] == 404
    assert bob.request("GET", f"/v2/tasks/{tid}/executions")[0] == 404
    assert bob.request("GET", f"/v2/action_executions/{aid}")[0] == 404
    assert bob.request("PUT", f"/v2/action_executions/{aid}", {"state": "ERROR"})[0] == 404
    assert bob.request("DELETE", f"/v2/action_executions/{aid}")[0] == 404


def test_another_project_cannot_read_or_start_a_private_workflow(bob: Caller, alice: Caller,
                                                                 world: dict[str, Any]) -> None:
    name, ns, wid = world["name"], world["ns"], world["workflow"]["id"]
    for path in (f"/v2/workflows/{name}?namespace={ns}", f"/v2/workflows/{wid}", f"/v2/workflows/{wid}/graph"):
        assert bob.request("GET", path)[0] == 404, path
    assert bob.call("GET", f"/v2/workflows?namespace={ns}")["workflows"] == []
    assert bob.request("POST", "/v2/executions", {"workflow_id": wid})[0] == 404
    assert bob.request("POST", "/v2/executions", {"workflow_name": name, "workflow_namespace": ns})[0] == 404
    assert bob.request("DELETE", f"/v2/workflows/{wid}")[0] == 404
    assert bob.request("PUT", f"/v2/workflows/{wid}", WORKFLOW.format(name=name))[0] == 404
    assert alice.call("GET", f"/v2/workflows/{wid}")["definition"] == WORKFLOW.format(name=name)


def test_another_project_cannot_read_or_delete_an_environment(bob: Caller, alice: Caller,
                                                              world: dict[str, Any]) -> None:
    env = world["environment"]["name"]
    assert bob.request("GET", f"/v2/environments/{env}")[0] == 404
    assert env not in {e["name"] for e in bob.call("GET", "/v2/environments")["environments"]}
    assert bob.request("DELETE", f"/v2/environments/{env}")[0] == 404
    assert bob.request("POST", "/v2/executions", {"workflow_name": world["name"], "workflow_namespace": world["ns"],
                                                  "params": {"env": env}})[0] == 404
    assert alice.call("GET", f"/v2/environments/{env}")["variables"] == '{"k": "secret"}'


def test_another_project_cannot_see_or_delete_a_cron_trigger(bob: Caller, alice: Caller,
                                                              world: dict[str, Any]) -> None:
    trigger = alice.call("POST", "/v2/cron_triggers", {
        "name": f"c_{world['ns']}", "workflow_id": world["workflow"]["id"], "pattern": "0 12 * * *",
        "workflow_input": {"who": "x"}, "first_execution_time": "2031-01-01 10:00"}, 201)
    for ident in (trigger["name"], trigger["id"]):
        assert bob.request("GET", f"/v2/cron_triggers/{ident}")[0] == 404
        assert bob.request("DELETE", f"/v2/cron_triggers/{ident}")[0] == 404
    assert trigger["id"] not in _ids(bob.call("GET", "/v2/cron_triggers"), "cron_triggers")
    alice.call("DELETE", f"/v2/cron_triggers/{trigger['id']}", status=204)


def test_a_public_workflow_is_visible_and_startable_but_not_changeable(bob: Caller, alice: Caller,
                                                                       delivery: Delivery, ns: str) -> None:
    name = f"pub_{ns}"
    text = WORKFLOW.format(name=name)
    wid = alice.call("POST", f"/v2/workflows?namespace={ns}&scope=public", text, 201)["workflows"][0]["id"]
    assert bob.call("GET", f"/v2/workflows/{wid}")["scope"] == "public"
    assert wid in _ids(bob.call("GET", f"/v2/workflows?namespace={ns}"), "workflows")
    started = bob.call("POST", "/v2/executions", {"workflow_id": wid, "input": {"who": "bob"}}, 201)
    assert started["project_id"] == PROJECT_B
    assert delivery.run_execution(started["id"]).state == "SUCCESS"
    assert bob.call("GET", f"/v2/executions/{started['id']}")["output"] == '{}'
    assert alice.request("GET", f"/v2/executions/{started['id']}")[0] == 404  # the run is bob's
    code, body = bob.request("PUT", f"/v2/workflows/{wid}", text)
    assert (code, body["faultstring"]) == (403, f"Can not update workflow of other tenants. [identifier={name}]")
    assert bob.request("DELETE", f"/v2/workflows/{wid}")[0] == 403
    assert alice.request("DELETE", f"/v2/workflows/{wid}")[0] == 204
