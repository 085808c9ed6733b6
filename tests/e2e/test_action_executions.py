"""Action executions through python-mistralclient: run an action on its own (synchronously
by default, run_sync, save_result), complete an async action through PUT (SUCCESS, ERROR,
CANCELLED), list and get, delete; errors."""

from __future__ import annotations

import json
import uuid

import pytest

from .support import new_namespace, purge_namespace, api_error, wait_execution, wait_for, wait_task

pytestmark = pytest.mark.e2e

WORKFLOWS = """version: '2.0'
waiter:
  output:
    got: <% $.got %>
  tasks:
    wait:
      action: std.async_noop
      publish:
        got: <% task().result %>
"""


@pytest.fixture(scope="module")
def wfs(client):
    namespace = new_namespace()
    yield {w.name: w for w in client.workflows.create(WORKFLOWS, namespace=namespace)}
    purge_namespace(client, namespace)


def waiting_action(client, wfs):
    execution = client.executions.create("waiter", namespace=wfs["waiter"].namespace)
    task = wait_task(client, execution.id, "wait", ("RUNNING",))
    (action,) = client.action_executions.list(task_execution_id=task.id)
    return execution, task, action


def test_run_an_action_synchronously_without_saving(client):
    # by default a sync action runs at once and is not stored: no id
    ran = client.action_executions.create("std.echo", {"output": "hi"})
    assert ran.state == "SUCCESS"
    assert ran.id is None
    assert ran.name == "std.echo"
    assert json.loads(ran.input) == {"output": "hi"}
    assert json.loads(ran.output) == {"result": "hi"}

    ran = client.action_executions.create("std.echo", {"output": {"a": 1}}, run_sync=True)
    assert ran.state == "SUCCESS" and json.loads(ran.output) == {"result": {"a": 1}}

    failed = client.action_executions.create("std.fail", run_sync=True)
    assert failed.state == "ERROR"
    assert "Fail action expected exception." in json.loads(failed.output)["result"]


def test_run_an_action_and_save_the_result(client):
    saved = client.action_executions.create("std.echo", {"output": "kept"}, save_result=True, run_sync=True)
    assert saved.state == "SUCCESS"
    assert saved.id
    got = client.action_executions.get(saved.id)
    assert got.name == "std.echo"
    assert got.state == "SUCCESS"
    assert got.task_execution_id is None and got.workflow_name is None
    assert json.loads(got.output) == {"result": "kept"}
    assert json.loads(got.input) == {"output": "kept"}

    # save_result alone: the run is asynchronous; it finishes on its own
    later = client.action_executions.create("std.echo", {"output": "later"}, save_result=True)
    assert later.id and later.state in ("RUNNING", "SUCCESS")
    done = wait_for(lambda: (a := client.action_executions.get(later.id)).state == "SUCCESS" and a,
                    "the saved std.echo to finish")
    assert json.loads(done.output) == {"result": "later"}


def test_a_standalone_async_action_completed_through_put(client):
    started = client.action_executions.create("std.async_noop", save_result=True)
    assert started.state == "RUNNING"
    assert started.accepted is False
    updated = client.action_executions.update(started.id, "SUCCESS", json.dumps({"x": 1}))
    assert updated.state == "SUCCESS"
    assert json.loads(updated.output) == {"result": {"x": 1}}
    got = client.action_executions.get(started.id)
    assert got.state == "SUCCESS" and got.accepted is True
    assert json.loads(got.output) == {"result": {"x": 1}}


def test_complete_a_workflow_async_action_with_success(client, wfs):
    execution, task, action = waiting_action(client, wfs)
    assert action.name == "std.async_noop"
    assert action.state == "RUNNING"
    assert action.task_execution_id == task.id
    assert action.workflow_name == "waiter"
    updated = client.action_executions.update(action.id, "SUCCESS", json.dumps({"v": 7}))
    assert updated.state == "SUCCESS"
    done = wait_execution(client, execution.id)
    assert done.state == "SUCCESS", done.state_info
    assert json.loads(done.output) == {"got": {"v": 7}}
    assert json.loads(client.tasks.get(task.id).result) == {"v": 7}


def test_complete_a_workflow_async_action_with_error(client, wfs):
    execution, task, action = waiting_action(client, wfs)
    client.action_executions.update(action.id, "ERROR", json.dumps({"error": "it broke"}))
    done = wait_execution(client, execution.id)
    assert done.state == "ERROR"
    assert "it broke" in done.state_info
    assert client.tasks.get(task.id).state == "ERROR"


def test_cancel_a_workflow_async_action(client, wfs):
    execution, task, action = waiting_action(client, wfs)
    client.action_executions.update(action.id, "CANCELLED")
    done = wait_execution(client, execution.id)
    assert done.state == "CANCELLED"
    assert client.tasks.get(task.id).state == "CANCELLED"
    assert client.action_executions.get(action.id).state == "CANCELLED"


def test_list_paging_and_filters(client, wfs):
    execution, task, action = waiting_action(client, wfs)
    client.action_executions.update(action.id, "SUCCESS", json.dumps({"v": 1}))
    wait_execution(client, execution.id)
    mine = client.action_executions.list(task_execution_id=task.id, fields=["name", "state"])
    assert [a.to_dict() for a in mine] == [{"id": action.id, "name": "std.async_noop", "state": "SUCCESS"}]

    page = client.action_executions.list(limit=2, sort_keys="created_at", sort_dirs="desc")
    assert len(page) == 2
    older = client.action_executions.list(limit=1, marker=page[0].id, sort_keys="created_at", sort_dirs="desc")
    assert [a.id for a in older] == [page[1].id]
    named = client.action_executions.list(name="std.async_noop", state="SUCCESS", limit=5)
    assert named and all(a.name == "std.async_noop" and a.state == "SUCCESS" for a in named)


def test_errors(client, wfs):
    unknown = str(uuid.uuid4())
    error = api_error(client.action_executions.get, unknown)
    assert error.error_code == 404
    assert error.error_message == f"ActionExecution not found [id={unknown}]"

    error = api_error(client.action_executions.create, "std.nothere", {"output": 1})
    assert error.error_code == 400
    assert error.error_message == "Failed to find action [action_name=std.nothere]"

    # the output of a completion is a JSON object
    _, _, action = waiting_action(client, wfs)
    error = api_error(client.action_executions.update, action.id, "ERROR", json.dumps("text"))
    assert error.error_code == 400
    client.action_executions.update(action.id, "CANCELLED")


@pytest.mark.sirocco_only("Mistral 23 answers 500 (ActionException) for an action's wrong input; "
                          "issue 5: never a 500 for bad input")
def test_wrong_action_input_is_400(client):
    error = api_error(client.action_executions.create, "std.echo", {"zzz": 1})
    assert error.error_code == 400
    assert "Invalid input" in error.error_message
    assert "missing=['output']" in error.error_message and "unexpected=['zzz']" in error.error_message


@pytest.mark.sirocco_only("Mistral 23 answers 500 (DBEntityNotFoundError, ValueError) to completing an "
                          "unknown or an already completed action; issue 5: never a 500 for bad input")
def test_completing_unknown_or_completed_actions(client):
    assert api_error(client.action_executions.update, str(uuid.uuid4()), "SUCCESS",
                     json.dumps({"v": 1})).error_code == 404
    started = client.action_executions.create("std.async_noop", save_result=True)
    client.action_executions.update(started.id, "SUCCESS", json.dumps({"v": 1}))
    error = api_error(client.action_executions.update, started.id, "SUCCESS", json.dumps({"v": 2}))
    assert error.error_code in (400, 409)
    assert json.loads(client.action_executions.get(started.id).output) == {"result": {"v": 1}}


# Sirocco copies Mistral's default ([api] allow_action_execution_deletion = False;
# SIROCCO_ALLOW_ACTION_EXECUTION_DELETION=true there, docs/api.md)
def test_delete_is_refused_by_default(client):
    saved = client.action_executions.create("std.echo", {"output": 1}, save_result=True, run_sync=True)
    error = api_error(client.action_executions.delete, saved.id)
    assert error.error_code == 403
    assert error.error_message == "Action execution deletion is not allowed."
