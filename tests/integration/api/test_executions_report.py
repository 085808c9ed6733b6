"""/v2/executions/<id>/report and /v2/executions/<id>/executions through the Chalice app.
The workflows are the ones sent to Mistral 23.0.0 for the expected values: the
statistics, the tree (entries, their fields and order, depth and errors_only cuts),
the sub-execution lists, the refusals."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from sirocco.handlers import runtime as runtime_module
from sirocco.handlers.runtime import set_runtime

from ..shell.delivery import Delivery
from .helpers import call, request

DOC = """version: '2.0'
leaf_{n}:
  input:
    - fail: false
  tasks:
    l1:
      action: std.echo output=1
      on-success:
        - l2: <% $.fail %>
    l2:
      action: std.fail
mid_{n}:
  input:
    - fail: false
  tasks:
    m1:
      workflow: leaf_{n} fail=<% $.fail %>
top_{n}:
  tasks:
    a:
      action: std.noop
      on-success: [b, c]
    b:
      workflow: mid_{n}
    c:
      with-items: x in [true, false]
      workflow: leaf_{n} fail=<% $.x %>
    d:
      action: std.fail
      retry:
        count: 1
        delay: 0
"""
ENTRY = ["id", "name", "created_at", "updated_at", "state", "state_info"]
TASK_ENTRY = ["action_executions", "workflow_executions", *ENTRY]
ACTION_ENTRY = ["accepted", "last_heartbeat", *ENTRY]
STATISTICS = ["total_tasks_count", "running_tasks_count", "success_tasks_count", "error_tasks_count",
              "idle_tasks_count", "paused_tasks_count", "estimated_time"]


@pytest.fixture(scope="module")
def tree(client: Any, api_runtime: Any) -> dict[str, Any]:
    """One run of top_<n> (as on Mistral: 9 tasks in 5 executions, 3 of them in ERROR)."""
    before = runtime_module._runtime
    set_runtime(api_runtime)  # the package's per-test fixture is not installed yet
    try:
        n = uuid.uuid4().hex[:8]
        call(client, "POST", "/v2/workflows", DOC.format(n=n), status=201)
        ex = call(client, "POST", "/v2/executions", {"workflow_name": f"top_{n}"}, status=201)
        Delivery(api_runtime).run_execution(ex["id"])
        return {"n": n, "id": ex["id"]}
    finally:
        set_runtime(before)


def _report(client: Any, eid: str, query: str = "") -> dict[str, Any]:
    return call(client, "GET", f"/v2/executions/{eid}/report{'?' + query if query else ''}")


def _stats(total: int, success: int, error: int) -> dict[str, int]:
    return {"total_tasks_count": total, "running_tasks_count": 0, "success_tasks_count": success,
            "error_tasks_count": error, "idle_tasks_count": 0, "paused_tasks_count": 0, "estimated_time": 0}


def _shape(entry: dict[str, Any]) -> Any:
    """An execution entry as (name, state, [(task, state, [child shapes])])."""
    tasks = entry.get("task_executions")
    return (entry["name"], entry["state"], None if tasks is None else
            [(t["name"], t["state"], [_shape(w) for w in t["workflow_executions"]]) for t in tasks])


def test_report_as_mistral(client, tree):
    n, eid = tree["n"], tree["id"]
    report = _report(client, eid)
    assert list(report) == ["statistics", "root_workflow_execution"]
    assert list(report["statistics"]) == STATISTICS and report["statistics"] == _stats(9, 6, 3)
    root = report["root_workflow_execution"]
    assert list(root) == [*ENTRY, "task_executions"] and root["id"] == eid and root["name"] == f"top_{n}"
    leaf_ok = (f"leaf_{n}", "SUCCESS", [("l1", "SUCCESS", [])])
    leaf_failed = (f"leaf_{n}", "ERROR", [("l1", "SUCCESS", []), ("l2", "ERROR", [])])
    assert _shape(root) == (f"top_{n}", "ERROR", [
        ("a", "SUCCESS", []),
        ("d", "ERROR", []),
        ("b", "SUCCESS", [(f"mid_{n}", "SUCCESS", [("m1", "SUCCESS", [leaf_ok])])]),
        ("c", "ERROR", [leaf_failed, leaf_ok])])
    a, d = root["task_executions"][:2]
    assert list(a) == TASK_ENTRY and list(d) == TASK_ENTRY[:2] + ["retry_count"] + TASK_ENTRY[2:]
    assert d["retry_count"] == 1
    assert [list(x) for x in d["action_executions"]] == [ACTION_ENTRY, ACTION_ENTRY]
    assert [(x["name"], x["state"], x["accepted"], x["state_info"]) for x in d["action_executions"]] == \
        [("std.fail", "ERROR", False, None), ("std.fail", "ERROR", True, None)]
    assert a["action_executions"][0]["accepted"] is True and len(a["action_executions"][0]["last_heartbeat"]) == 19


def test_report_cuts(client, tree):
    n, eid = tree["n"], tree["id"]
    errors = _report(client, eid, "errors_only=true")
    assert errors["statistics"] == _stats(3, 0, 3)
    assert _shape(errors["root_workflow_execution"]) == (f"top_{n}", "ERROR", [
        ("d", "ERROR", []),
        ("c", "ERROR", [(f"leaf_{n}", "ERROR", [("l2", "ERROR", [])]), (f"leaf_{n}", "SUCCESS", [])])])

    shallow = _report(client, eid, "max_depth=0")
    assert shallow["statistics"] == _stats(4, 2, 2)
    assert _shape(shallow["root_workflow_execution"]) == (f"top_{n}", "ERROR", [
        ("a", "SUCCESS", []), ("d", "ERROR", []),
        ("b", "SUCCESS", [(f"mid_{n}", "SUCCESS", None)]),  # deeper than max_depth: no tasks
        ("c", "ERROR", [(f"leaf_{n}", "ERROR", None), (f"leaf_{n}", "SUCCESS", None)])])
    assert _report(client, eid, "max_depth=1")["statistics"] == _stats(8, 5, 3)
    assert _report(client, eid, "statistics_only=true") == {"statistics": _stats(9, 6, 3)}
    assert _report(client, eid, "statistics_only=true&errors_only=true&max_depth=0") == \
        {"statistics": _stats(2, 0, 2)}


def test_sub_executions_as_mistral(client, tree):
    n, eid = tree["n"], tree["id"]

    def listed(query: str = "") -> list[tuple[str, str]]:
        answer = call(client, "GET", f"/v2/executions/{eid}/executions{'?' + query if query else ''}")
        assert list(answer) == ["executions"]
        return [(e["workflow_name"], e["state"]) for e in answer["executions"]]

    top, mid, ok, failed = (f"top_{n}", "ERROR"), (f"mid_{n}", "SUCCESS"), (f"leaf_{n}", "SUCCESS"), \
        (f"leaf_{n}", "ERROR")
    assert listed() == [top, mid, ok, failed, ok]  # depth first, tasks in creation order
    assert listed("errors_only=true") == [top, failed, ok]
    assert listed("max_depth=0") == [top]
    assert listed("max_depth=1") == [top, mid, failed, ok]
    everything = call(client, "GET", f"/v2/executions/{eid}/executions")["executions"]
    assert "output" not in everything[0] and everything[1]["root_execution_id"] == eid
    assert everything[1]["task_execution_id"] is not None
    with_output = call(client, "GET", f"/v2/executions/{eid}/executions?include_output=true&max_depth=0")
    assert "output" in with_output["executions"][0]


def test_what_the_tree_endpoints_refuse(client, tree):
    eid = tree["id"]
    missing = str(uuid.uuid4())
    for path in (f"/v2/executions/{missing}/report", f"/v2/executions/{missing}/executions"):
        code, answer = request(client, "GET", path)
        assert (code, answer["faultstring"]) == (404, f"WorkflowExecution not found [id={missing}]")
    for path in (f"/v2/executions/{eid}/report?max_depth=x", f"/v2/executions/{eid}/executions?max_depth=x"):
        code, answer = request(client, "GET", path)
        assert (code, answer["faultstring"]) == (400, "Invalid input for field/attribute max_depth. Value: 'x'. "
                                                      "unable to convert to int. Error: invalid literal for int() "
                                                      "with base 10: 'x'")
    code, answer = request(client, "GET", f"/v2/executions/{eid}/executions?limit=1")
    assert (code, answer["faultstring"]) == (400, 'Unknown argument: "limit"')


def test_estimated_time_of_a_running_execution(client, api_runtime):
    """-1 while no execution of the workflow has succeeded yet (Mistral's estimate)."""
    wf = f"hang_{uuid.uuid4().hex[:8]}"
    call(client, "POST", "/v2/workflows", f"version: '2.0'\n{wf}:\n  tasks:\n    t:\n      action: std.async_noop\n",
         status=201)
    ex = call(client, "POST", "/v2/executions", {"workflow_name": wf}, status=201)
    Delivery(api_runtime).run()
    report = _report(client, ex["id"])
    assert report["statistics"]["estimated_time"] == -1 and report["statistics"]["running_tasks_count"] == 1
    assert report["root_workflow_execution"]["task_executions"][0]["action_executions"][0]["accepted"] is False
