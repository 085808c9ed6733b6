"""PUT /v2/executions/<id> through the Chalice app, executions run by the shell's
delivery loop. Expected answers (fields, states, messages, codes) were read from
Mistral 23.0.0 answering the same requests."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from ..shell.delivery import Delivery
from .helpers import call, request

# Mistral's answer to a state change: the execution without published_global
UPDATE_FIELDS = ["id", "workflow_id", "workflow_name", "workflow_namespace", "description", "tags", "params",
                 "task_execution_id", "root_execution_id", "state", "state_info", "input", "output", "created_at",
                 "updated_at", "project_id"]
ALLOWED = "Allowed states are: 'RUNNING, PAUSED, SUCCESS, ERROR, CANCELLED"
ENV_REFUSED = "Updating env to workflow execution is only permitted if it is in IDLE, PAUSED, or ERROR state."


def _hang(client: Any, delivery: Delivery, **body: Any) -> tuple[str, dict[str, Any]]:
    """A RUNNING execution of a workflow whose one task waits for ever (std.async_noop)."""
    wf = f"hang_{uuid.uuid4().hex[:8]}"
    call(client, "POST", "/v2/workflows", f"version: '2.0'\n{wf}:\n  tasks:\n    t:\n      action: std.async_noop\n",
         status=201)
    ex = call(client, "POST", "/v2/executions", {"workflow_name": wf, **body}, status=201)
    delivery.run()
    assert call(client, "GET", f"/v2/executions/{ex['id']}")["state"] == "RUNNING"
    return wf, ex


def _put(client: Any, eid: str, body: Any, status: int = 200) -> Any:
    return call(client, "PUT", f"/v2/executions/{eid}", body, status=status)


def _refused(client: Any, eid: str, body: Any, status: int = 400) -> str:
    answer = _put(client, eid, body, status)
    assert answer["faultcode"] == "Client" and answer["debuginfo"] is None
    return answer["faultstring"]


def test_pause_resume_cancel_as_mistral(client, delivery):
    wf, ex = _hang(client, delivery, params={"env": {"x": {"a": 1, "b": 2}}})
    eid = ex["id"]
    paused = _put(client, eid, {"state": "PAUSED", "state_info": "ignored, as Mistral"})
    assert list(paused) == UPDATE_FIELDS
    assert paused["state"] == "PAUSED" and paused["state_info"] is None and paused["output"] == "{}"
    delivery.run()
    assert call(client, "GET", f"/v2/executions/{eid}")["state"] == "PAUSED"
    assert _put(client, eid, {"state": "PAUSED"})["state"] == "PAUSED"  # already: nothing to do

    resumed = _put(client, eid, {"state": "RUNNING", "params": {"env": {"y": 1}}})
    assert resumed["state"] == "RUNNING"
    assert json.loads(resumed["params"])["env"] == {"x": {"a": 1, "b": 2}, "y": 1}
    delivery.run()
    got = call(client, "GET", f"/v2/executions/{eid}")
    assert got["state"] == "RUNNING" and json.loads(got["params"])["env"] == {"x": {"a": 1, "b": 2}, "y": 1}
    assert _put(client, eid, {"state": "RUNNING"})["state"] == "RUNNING"  # resuming a running one: as it is

    cancelled = _put(client, eid, {"state": "CANCELLED", "state_info": "stop it"})
    assert list(cancelled) == UPDATE_FIELDS
    assert (cancelled["state"], cancelled["state_info"], cancelled["output"]) == \
        ("CANCELLED", "stop it", '{"result": "stop it"}')
    delivery.run()
    got = call(client, "GET", f"/v2/executions/{eid}")
    assert (got["state"], got["state_info"], got["output"]) == ("CANCELLED", "stop it", '{"result": "stop it"}')
    tasks = call(client, "GET", f"/v2/executions/{eid}/tasks")["tasks"]
    assert [t["state"] for t in tasks] == ["CANCELLED"]

    # an ended execution: what Mistral refuses, and what it answers as it is
    assert _refused(client, eid, {"state": "PAUSED"}) == \
        f"Can't change workflow execution state from CANCELLED to PAUSED. [workflow={wf}, execution_id={eid}]"
    assert _refused(client, eid, {"state": "SUCCESS"}) == \
        f"Can't change workflow execution state from CANCELLED to SUCCESS. [workflow={wf}, execution_id={eid}]"
    for state in ("RUNNING", "CANCELLED", "ERROR"):
        same = _put(client, eid, {"state": state, "state_info": "late"})
        assert (same["state"], same["state_info"]) == ("CANCELLED", "stop it")


def test_requests_mistral_refuses(client, delivery):
    _, ex = _hang(client, delivery)
    eid = ex["id"]
    nothing = "The property state, description, or env is not provided for update."
    assert _refused(client, eid, {}) == nothing
    assert _refused(client, eid, {"state_info": "x"}) == nothing
    assert _refused(client, eid, {"description": ""}) == nothing
    assert _refused(client, eid, {"params": {"env": {}}}) == nothing
    assert _refused(client, eid, {"params": {"task_name": "x"}}) == nothing
    assert _refused(client, eid, {"state": "PAUSED", "description": "d"}) == \
        "The property description must be updated separately from state."
    assert _refused(client, eid, {"state": "PAUSED", "params": {"env": {"a": 1}}}) == \
        "The property env can only be updated when workflow execution is not running or on resume from pause."
    assert _refused(client, eid, {"state": "IDLE"}) == f"Cannot change state to IDLE. {ALLOWED}"
    assert _refused(client, eid, {"state": "paused"}) == f"Cannot change state to paused. {ALLOWED}"
    assert _refused(client, eid, {"foo": 1}) == "Unknown attribute for argument wf_ex: foo"
    assert _refused(client, eid, {"description": 5}) == ("Invalid input for field/attribute description. "
                                                         "Value: '5'. Wrong type. Expected '<class 'str'>', "
                                                         "got '<class 'int'>'")
    assert _refused(client, eid, {"params": "{x"}).startswith(
        "Invalid input for field/attribute wf_ex. Value: '{'params': '{x'}'.")
    assert _refused(client, eid, [1]) == "Request is not in valid JSON format"
    assert _refused(client, eid, {"params": {"env": {"a": 1}}}, 403) == ENV_REFUSED  # env of a running one
    missing = str(uuid.uuid4())
    assert _refused(client, missing, {"state": "PAUSED"}, 404) == f"WorkflowExecution not found [id={missing}]"
    assert _refused(client, missing, {"description": "x"}, 404) == f"WorkflowExecution not found [id={missing}]"
    assert call(client, "GET", f"/v2/executions/{eid}")["state"] == "RUNNING"  # none of it changed anything


def test_description_and_env_updates(client, delivery):
    _, ex = _hang(client, delivery, params={"env": {"x": {"a": 1, "b": 2}}}, description="first")
    eid = ex["id"]
    described = _put(client, eid, {"description": "second"})
    # Mistral answers a description update without params, input and output
    assert list(described) == [f for f in UPDATE_FIELDS if f not in ("params", "input", "output")]
    assert described["description"] == "second" and described["state"] == "RUNNING"
    assert call(client, "GET", f"/v2/executions/{eid}")["description"] == "second"

    _put(client, eid, {"state": "PAUSED"})
    delivery.run()
    changed = _put(client, eid, {"params": json.dumps({"env": {"x": {"b": 3}}})})  # params as JSON text
    assert list(changed) == [f for f in UPDATE_FIELDS if f not in ("input", "output")]
    assert json.loads(changed["params"])["env"] == {"x": {"a": 1, "b": 3}}  # merged as Mistral merges
    got = call(client, "GET", f"/v2/executions/{eid}")
    assert got["state"] == "PAUSED" and json.loads(got["params"])["env"] == {"x": {"a": 1, "b": 3}}

    _put(client, eid, {"state": "RUNNING"})
    delivery.run()
    got = call(client, "GET", f"/v2/executions/{eid}")
    assert got["state"] == "RUNNING" and json.loads(got["params"])["env"] == {"x": {"a": 1, "b": 3}}


def test_env_update_keeps_an_engine_save_whose_commands_are_unsent(client, delivery, rt):
    """An env update is one more save of the header: when the engine's last save has not
    sent its commands yet (it crashed after the save), they are carried into it and sent
    by the next load, not lost."""
    hook = {"type": "webhook", "url": "http://127.0.0.1:9/hook"}
    _, ex = _hang(client, delivery, params={"env": {"x": 1}, "notify": [hook]})
    eid = ex["id"]

    def crash(step: str) -> None:
        if step == "engine.saved":
            raise RuntimeError("crash after the save, before sending")
    rt.checkpoint = crash
    _put(client, eid, {"state": "PAUSED"})
    delivery.pump("engine")  # saved PAUSED with its WORKFLOW_PAUSED notification, not sent
    rt.checkpoint = None
    assert rt.executions.pending_outbox(eid) is not None
    delivery.bodies["notifier"].clear()

    changed = _put(client, eid, {"params": {"env": {"x": 2}}})
    assert changed["state"] == "PAUSED" and json.loads(changed["params"])["env"] == {"x": 2}
    delivery.run()  # the crashed batch comes back
    assert rt.executions.pending_outbox(eid) is None
    assert [json.loads(b)["fields"]["event"] for b in delivery.bodies["notifier"]] == ["WORKFLOW_PAUSED"]
    got = call(client, "GET", f"/v2/executions/{eid}")
    assert got["state"] == "PAUSED" and json.loads(got["params"])["env"] == {"x": 2}


def test_the_last_of_quick_pauses_and_resumes_wins(client, delivery):
    """Each request is its own event (ids from a count), sent even when the stored state
    already matches, so requests the engine has not applied yet do not hide a later one."""
    _, ex = _hang(client, delivery)
    eid = ex["id"]
    _put(client, eid, {"state": "PAUSED"})
    delivery.run()
    assert _put(client, eid, {"state": "RUNNING"})["state"] == "RUNNING"
    assert _put(client, eid, {"state": "PAUSED"})["state"] == "PAUSED"  # stored: still PAUSED
    delivery.run()
    assert call(client, "GET", f"/v2/executions/{eid}")["state"] == "PAUSED"
    for state in ("RUNNING", "PAUSED", "RUNNING"):
        assert _put(client, eid, {"state": state})["state"] == state
    delivery.run()
    assert call(client, "GET", f"/v2/executions/{eid}")["state"] == "RUNNING"


STOPPABLE = """version: '2.0'
{wf}:
  output:
    o: <% $.get(x, 'none') %>
  output-on-error:
    oe: 1
  tasks:
    t1:
      action: std.async_noop
    t0:
      action: std.echo output="x"
      publish: {{x: <% task().result %>}}
"""


@pytest.mark.parametrize("state, output", [("ERROR", {"result": "by hand", "oe": 1}), ("SUCCESS", {"o": "x"})])
def test_a_running_execution_stopped_with_error_or_success(client, delivery, state, output):
    # as Mistral 23.0.0 answers and ends the same workflow (tests/unit/engine/fixtures/stop-*.yaml)
    wf = f"stop_{uuid.uuid4().hex[:8]}"
    call(client, "POST", "/v2/workflows", STOPPABLE.format(wf=wf), status=201)
    ex = call(client, "POST", "/v2/executions", {"workflow_name": wf}, status=201)
    delivery.run()
    answer = _put(client, ex["id"], {"state": state, "state_info": "by hand"})
    assert (answer["state"], answer["state_info"]) == (state, "by hand")
    delivery.run()
    got = call(client, "GET", f"/v2/executions/{ex['id']}")
    assert (got["state"], got["state_info"], json.loads(got["output"])) == (state, "by hand", output)
    tasks = call(client, "GET", f"/v2/executions/{ex['id']}/tasks")["tasks"]
    assert sorted((t["name"], t["state"]) for t in tasks) == [("t0", "SUCCESS"), ("t1", "RUNNING")]
    assert _put(client, ex["id"], {"state": "PAUSED"}, status=400)  # ended: no pause


def test_a_paused_execution_is_not_stopped_with_error(client, delivery):
    _, ex = _hang(client, delivery)
    paused = _put(client, ex["id"], {"state": "PAUSED"})
    delivery.run()
    assert _put(client, ex["id"], {"state": "ERROR"})["state"] == paused["state"] == "PAUSED"  # as Mistral
    delivery.run()
    assert call(client, "GET", f"/v2/executions/{ex['id']}")["state"] == "PAUSED"


def test_state_change_of_a_started_execution_waits_behind_its_start(client, delivery):
    """Right after the create the header is IDLE (its start is queued): a pause is queued
    behind the start, as if the execution were RUNNING (Mistral starts synchronously)."""
    wf = f"hang_{uuid.uuid4().hex[:8]}"
    call(client, "POST", "/v2/workflows", f"version: '2.0'\n{wf}:\n  tasks:\n    t:\n      action: std.async_noop\n",
         status=201)
    ex = call(client, "POST", "/v2/executions", {"workflow_name": wf}, status=201)
    assert call(client, "GET", f"/v2/executions/{ex['id']}")["state"] == "IDLE"
    assert _put(client, ex["id"], {"state": "PAUSED"})["state"] == "PAUSED"
    code, answer = request(client, "PUT", f"/v2/executions/{ex['id']}", {"params": {"env": {"a": 1}}})
    assert (code, answer["faultstring"]) == (403, ENV_REFUSED)
    delivery.run()
    assert call(client, "GET", f"/v2/executions/{ex['id']}")["state"] == "PAUSED"
