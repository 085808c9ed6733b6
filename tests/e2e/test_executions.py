"""Executions through python-mistralclient: start by name and by id with input, params and
env; idempotent create with a client-given id; from a source execution; wait for the end;
output; list (filters, paging, sorting, fields, include_output); pause, resume, cancel, stop;
description and env updates; delete (force); sub-workflow executions; the report; errors."""

from __future__ import annotations

import json
import re
import uuid

import pytest
import requests

from .support import new_namespace, purge_namespace, api_error, wait_execution, wait_task

pytestmark = pytest.mark.e2e

TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")

WORKFLOWS = """version: '2.0'
hello:
  input:
    - name
    - greeting: hi
  output:
    text: <% $.text %>
  tasks:
    say:
      action: std.echo output="<% $.greeting %> <% $.name %>"
      publish:
        text: <% task().result %>
waiter:
  output:
    got: <% $.got %>
  tasks:
    wait:
      action: std.async_noop
      publish:
        got: <% task().result %>
      on-success: [after]
    after:
      action: std.echo output="after"
uses_env:
  output:
    a: <% env().a %>
  tasks:
    t:
      action: std.noop
hold:
  tasks:
    wait:
      action: std.async_noop
failing:
  tasks:
    ok:
      action: std.noop
      on-success: [boom]
    boom:
      action: std.fail
parent:
  input: [n]
  output:
    got: <% $.got %>
  tasks:
    first:
      action: std.echo output=<% $.n %>
      on-success: [child]
    child:
      workflow: kid m=<% $.n %>
      publish:
        got: <% task().result %>
backwards:
  type: reverse
  tasks:
    fetch:
      action: std.echo output="fetched"
      publish:
        got: <% task().result %>
    use:
      action: std.echo output="used <% $.got %>"
      requires: [fetch]
    unrelated:
      action: std.noop
kid:
  input: [m]
  output:
    doubled: <% $.m * 2 %>
  tasks:
    k:
      action: std.noop
"""


@pytest.fixture(scope="module")
def wfs(client):
    """The module's workflows, by name, in a namespace of the module's own."""
    namespace = new_namespace()
    yield {w.name: w for w in client.workflows.create(WORKFLOWS, namespace=namespace)}
    purge_namespace(client, namespace)


def start(client, wfs, name, workflow_input=None, **params):
    return client.executions.create(name, namespace=wfs[name].namespace,
                                    workflow_input=workflow_input, **params)


def action_of(client, execution_id, task_name):
    """The (only) action execution of the task named ``task_name``, once it is RUNNING."""
    task = wait_task(client, execution_id, task_name, ("RUNNING",))
    actions = client.action_executions.list(task_execution_id=task.id)
    assert len(actions) == 1, [a.to_dict() for a in actions]
    return actions[0]


def test_start_by_name_with_input_and_wait_for_success(client, wfs):
    execution = start(client, wfs, "hello", {"name": "ann"}, description="first run")
    assert execution.workflow_name == "hello"
    assert execution.workflow_id == wfs["hello"].id
    assert execution.workflow_namespace == wfs["hello"].namespace
    assert execution.description == "first run"
    assert execution.state in ("IDLE", "RUNNING")
    assert execution.task_execution_id is None and execution.root_execution_id is None
    # json fields travel as JSON-encoded strings; input is bound (defaults filled)
    assert json.loads(execution.input) == {"name": "ann", "greeting": "hi"}
    assert json.loads(execution.output) == {}
    assert json.loads(execution.params) == {"namespace": wfs["hello"].namespace, "env": {}}
    assert TIME.match(execution.created_at)

    done = wait_execution(client, execution.id)
    assert done.state == "SUCCESS"
    assert done.state_info is None
    assert json.loads(done.output) == {"text": "hi ann"}
    assert json.loads(done.published_global) == {}
    assert TIME.match(done.updated_at)
    assert done.created_at == execution.created_at


def test_start_by_workflow_id(client, wfs):
    execution = client.executions.create(wfs["hello"].id, workflow_input={"name": "bob", "greeting": "yo"})
    assert execution.workflow_name == "hello"
    assert execution.workflow_id == wfs["hello"].id
    done = wait_execution(client, execution.id)
    assert json.loads(done.output) == {"text": "yo bob"}


def test_params_env(client, wfs):
    execution = start(client, wfs, "uses_env", env={"a": [1, 2]})
    assert json.loads(execution.params) == {"env": {"a": [1, 2]}, "namespace": wfs["uses_env"].namespace}
    done = wait_execution(client, execution.id)
    assert done.state == "SUCCESS", done.state_info
    assert json.loads(done.output) == {"a": [1, 2]}


def test_reverse_workflow_with_params_task_name(client, wfs):
    execution = start(client, wfs, "backwards", task_name="use")
    assert json.loads(execution.params)["task_name"] == "use"
    done = wait_execution(client, execution.id)
    assert done.state == "SUCCESS", done.state_info
    tasks = {t.name: t for t in client.tasks.list(workflow_execution_id=execution.id)}
    assert sorted(tasks) == ["fetch", "use"]
    assert json.loads(client.tasks.get(tasks["use"].id).result) == "used fetched"

    error = api_error(start, client, wfs, "backwards")
    assert error.error_code == 400
    assert "task_name=None" in error.error_message  # Mistral: "Invalid task name [wf_spec=..., task_name=None]"
    error = api_error(start, client, wfs, "backwards", task_name="nope")
    assert error.error_code == 400
    assert "task_name=nope" in error.error_message


def test_idempotent_create_with_a_client_given_id(api_url, client, wfs):
    # python-mistralclient cannot send `id`; the wire can (Mistral's ExecutionsController.post)
    given = str(uuid.uuid4())
    body = {"id": given, "workflow_name": "hello", "workflow_namespace": wfs["hello"].namespace,
            "input": json.dumps({"name": "first"})}
    first = requests.post(api_url + "/executions", json=body, timeout=30)
    assert first.status_code == 201, first.text
    assert first.json()["id"] == given
    body["input"] = json.dumps({"name": "second"})
    again = requests.post(api_url + "/executions", json=body, timeout=30)
    assert again.status_code == 201, again.text
    assert again.json()["id"] == given
    assert json.loads(again.json()["input"]) == {"name": "first", "greeting": "hi"}
    done = wait_execution(client, given)
    assert json.loads(done.output) == {"text": "hi first"}
    assert [e.id for e in client.executions.list(workflow_id=wfs["hello"].id)].count(given) == 1


def test_create_from_a_source_execution(client, wfs):
    source = wait_execution(client, start(client, wfs, "hello", {"name": "src"}, description="orig").id)
    # Mistral 23 takes the workflow and params from the source, not its input (a start
    # without input fails with "Invalid input ... missing=['name']"): the input is given
    copy = client.executions.create(source_execution_id=source.id, workflow_input={"name": "src"})
    assert copy.id != source.id
    assert copy.workflow_id == source.workflow_id
    assert json.loads(copy.input) == json.loads(source.input)
    assert copy.description == f"Based on the execution '{source.id}'"  # the client sends description ''
    assert json.loads(wait_execution(client, copy.id).output) == {"text": "hi src"}


def test_failing_execution_reaches_error_with_state_info(client, wfs):
    done = wait_execution(client, start(client, wfs, "failing").id)
    assert done.state == "ERROR"
    assert "boom" in done.state_info
    assert "Fail action expected exception." in done.state_info
    assert json.loads(done.output)["result"] == done.state_info


def test_list_filters_paging_sorting_fields(client, wfs):
    wf_id = wfs["hello"].id
    ids = [start(client, wfs, "hello", {"name": f"n{i}"}).id for i in range(3)]
    for execution_id in ids:
        wait_execution(client, execution_id)
    failed = wait_execution(client, start(client, wfs, "failing").id)

    mine = client.executions.list(workflow_id=wf_id)
    assert set(ids) <= {e.id for e in mine}
    assert all(e.workflow_id == wf_id for e in mine)
    assert all(not hasattr(e, "output") for e in mine)  # only with include_output
    with_output = client.executions.list(workflow_id=wf_id, include_output=True)
    assert all("text" in json.loads(e.output) for e in with_output)

    # default order: created_at ascending (ties by id), the order of the sorted page walk
    full = [e.id for e in client.executions.list(workflow_id=wf_id, sort_keys="created_at,id",
                                                  sort_dirs="asc,asc")]
    assert [e.id for e in mine] == full
    first = client.executions.list(workflow_id=wf_id, limit=2, sort_keys="created_at,id", sort_dirs="asc,asc")
    rest = client.executions.list(workflow_id=wf_id, limit=2, marker=first[-1].id,
                                  sort_keys="created_at,id", sort_dirs="asc,asc")
    assert [e.id for e in first] + [e.id for e in rest] == full[:4]
    desc = client.executions.list(workflow_id=wf_id, sort_keys="created_at,id", sort_dirs="desc,desc")
    assert [e.id for e in desc] == full[::-1]

    by_name = client.executions.list(workflow_name="failing", state="ERROR", workflow_id=wfs["failing"].id)
    assert failed.id in {e.id for e in by_name}
    assert {(e.workflow_name, e.state) for e in by_name} == {("failing", "ERROR")}
    assert client.executions.list(workflow_id=wf_id, state="ERROR") == []
    assert {e.id for e in client.executions.list(workflow_id=wf_id, state="in:SUCCESS,ERROR")} == set(full)

    slim = client.executions.list(workflow_id=wf_id, fields=["state", "workflow_name"])
    assert [e.to_dict() for e in slim] == [{"id": i, "state": "SUCCESS", "workflow_name": "hello"} for i in full]


def test_pause_resume_with_an_async_action_completed_meanwhile(client, wfs):
    execution = start(client, wfs, "waiter")
    action = action_of(client, execution.id, "wait")

    paused = client.executions.update(execution.id, "PAUSED")
    assert paused.state == "PAUSED"
    assert client.executions.get(execution.id).state == "PAUSED"

    # the async action completes while the execution is paused: the next task waits
    client.action_executions.update(action.id, "SUCCESS", json.dumps({"v": 7}))
    wait_task(client, execution.id, "wait", ("SUCCESS",))
    assert client.executions.get(execution.id).state == "PAUSED"
    assert [t.name for t in client.tasks.list(workflow_execution_id=execution.id)] == ["wait"]

    resumed = client.executions.update(execution.id, "RUNNING")
    # Mistral answers RUNNING (the next task goes to an executor); Sirocco's engine runs the
    # std.echo left in the batch that applies the resume, so it may already have ended
    assert resumed.state in ("RUNNING", "SUCCESS")
    done = wait_execution(client, execution.id)
    assert done.state == "SUCCESS", done.state_info
    assert json.loads(done.output) == {"got": {"v": 7}}


def test_cancel_then_illegal_state_changes(client, wfs):
    execution = start(client, wfs, "waiter")
    action_of(client, execution.id, "wait")
    cancelled = client.executions.update(execution.id, "CANCELLED")
    assert cancelled.state == "CANCELLED"
    assert wait_execution(client, execution.id).state == "CANCELLED"

    error = api_error(client.executions.update, execution.id, "PAUSED")
    assert error.error_code == 400
    assert "Can't change workflow execution state from CANCELLED to PAUSED" in error.error_message
    assert client.executions.get(execution.id).state == "CANCELLED"


def test_stop_with_error_and_success(client, wfs):
    for state in ("ERROR", "SUCCESS"):
        # (stopping with SUCCESS evaluates the workflow's output: `hold` has none)
        execution = start(client, wfs, "hold")
        action_of(client, execution.id, "wait")
        stopped = client.executions.update(execution.id, state)
        assert stopped.state == state
        assert wait_execution(client, execution.id).state == state


def test_update_description_and_env(client, wfs):
    execution = start(client, wfs, "waiter")
    action = action_of(client, execution.id, "wait")
    updated = client.executions.update(execution.id, None, description="renamed")
    assert updated.description == "renamed"
    assert client.executions.get(execution.id).description == "renamed"

    error = api_error(client.executions.update, execution.id, None)
    assert error.error_code == 400
    assert "state, description, or env" in error.error_message

    client.executions.update(execution.id, "PAUSED")
    client.executions.update(execution.id, None, env={"k": "v"})
    assert json.loads(client.executions.get(execution.id).params)["env"] == {"k": "v"}
    client.executions.update(execution.id, "RUNNING")
    client.action_executions.update(action.id, "SUCCESS", json.dumps({"v": 1}))
    assert wait_execution(client, execution.id).state == "SUCCESS"


def test_delete(client, wfs):
    done = wait_execution(client, start(client, wfs, "hello", {"name": "x"}).id)
    client.executions.delete(done.id)
    error = api_error(client.executions.get, done.id)
    assert error.error_code == 404
    assert api_error(client.executions.delete, done.id).error_code == 404

    running = start(client, wfs, "waiter")
    action_of(client, running.id, "wait")
    error = api_error(client.executions.delete, running.id)
    assert error.error_code == 403
    assert error.error_message.startswith("Only completed executions can be deleted.")
    client.executions.delete(running.id, force=True)
    assert api_error(client.executions.get, running.id).error_code == 404


def test_sub_workflow_executions(client, wfs):
    execution = start(client, wfs, "parent", {"n": 3})
    done = wait_execution(client, execution.id)
    assert done.state == "SUCCESS", done.state_info
    assert json.loads(done.output) == {"got": {"doubled": 6}}

    tasks = {t.name: t for t in client.tasks.list(workflow_execution_id=execution.id)}
    assert tasks["child"].type == "WORKFLOW"
    assert tasks["first"].type == "ACTION"

    kids = client.tasks.get_task_sub_executions(tasks["child"].id)
    assert len(kids) == 1
    kid = kids[0]
    assert kid.workflow_name == "kid"
    assert kid.task_execution_id == tasks["child"].id
    assert kid.root_execution_id == execution.id
    assert json.loads(kid.input) == {"m": 3}
    assert kid.description == "sub-workflow execution"
    assert client.executions.get(kid.id).state == "SUCCESS"
    assert [e.id for e in client.executions.list(task=tasks["child"].id)] == [kid.id]

    # the execution's tree, itself first; errors_only prunes at tasks that are not ERROR
    # (the root is always there), max_depth 0 is the root alone
    tree = client.executions.get_ex_sub_executions(execution.id)
    assert [e.id for e in tree] == [execution.id, kid.id]
    assert [e.id for e in client.executions.get_ex_sub_executions(execution.id, errors_only=True)] == \
        [execution.id]
    assert [e.id for e in client.executions.get_ex_sub_executions(execution.id, max_depth=0)] == \
        [execution.id]


def test_report(client, wfs):
    execution = start(client, wfs, "parent", {"n": 1})
    wait_execution(client, execution.id)
    report = client.executions.get_report(execution.id, errors_only=False)
    assert report["statistics"]["total_tasks_count"] == 3
    assert report["statistics"]["success_tasks_count"] == 3
    assert report["statistics"]["error_tasks_count"] == 0
    root = report["root_workflow_execution"]
    assert root["id"] == execution.id and root["name"] == "parent" and root["state"] == "SUCCESS"
    tasks = {t["name"]: t for t in root["task_executions"]}
    assert [a["name"] for a in tasks["first"]["action_executions"]] == ["std.echo"]
    assert tasks["first"]["workflow_executions"] == []
    (kid,) = tasks["child"]["workflow_executions"]
    assert kid["name"] == "kid"
    assert [t["name"] for t in kid["task_executions"]] == ["k"]

    failed = wait_execution(client, start(client, wfs, "failing").id)
    errors = client.executions.get_report(failed.id)  # errors_only by default in the client
    assert errors["statistics"]["error_tasks_count"] == 1
    assert [t["name"] for t in errors["root_workflow_execution"]["task_executions"]] == ["boom"]


def test_errors(client, wfs):
    unknown = str(uuid.uuid4())
    error = api_error(client.executions.get, unknown)
    assert error.error_code == 404
    assert error.error_message == f"WorkflowExecution not found [id={unknown}]"

    error = api_error(start, client, wfs, "hello")
    assert error.error_code == 400
    assert "Invalid input" in error.error_message and "missing=['name']" in error.error_message

    error = api_error(start, client, wfs, "hello", {"name": "a", "zzz": 1})
    assert error.error_code == 400
    assert "unexpected=['zzz']" in error.error_message


@pytest.mark.sirocco_only("Mistral 23 answers 500 (DBEntityNotFoundError) to a start of an unknown "
                          "workflow; issue 5: never a 500 for bad input")
def test_start_of_an_unknown_workflow_is_404(client, ns):
    error = api_error(client.executions.create, "no_such_wf", namespace=ns)
    assert error.error_code == 404
    assert "Workflow not found [workflow_identifier=no_such_wf" in error.error_message
