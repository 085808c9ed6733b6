"""POST /v2/executions beyond the shell's tests: an existing client id, a source
execution, an environment by name. Expected answers read from Mistral 23.0.0."""

from __future__ import annotations

import json
import uuid

from .helpers import call, request

DOC = """version: '2.0'
{wf}:
  input:
    - a: 1
  tasks:
    t:
      action: std.echo output=<% env().get(k) %>
      publish:
        seen: <% task().result %>
"""


def test_an_existing_client_id_answers_that_execution(client, delivery):
    wf = f"plain_{uuid.uuid4().hex[:8]}"
    call(client, "POST", "/v2/workflows", DOC.format(wf=wf), status=201)
    eid = str(uuid.uuid4())
    first = call(client, "POST", "/v2/executions", {"id": eid, "workflow_name": wf, "description": "first"},
                 status=201)
    delivery.run_execution(eid)
    again = call(client, "POST", "/v2/executions", {"id": eid, "description": "second"}, status=201)
    assert again["id"] == eid and again["description"] == "first" and again["state"] == "SUCCESS"
    assert "published_global" not in again and again["created_at"] == first["created_at"]


def test_a_source_execution_gives_workflow_input_and_params(client, delivery):
    wf = f"plain_{uuid.uuid4().hex[:8]}"
    call(client, "POST", "/v2/workflows", DOC.format(wf=wf), status=201)
    env = f"env_{uuid.uuid4().hex[:8]}"
    call(client, "POST", "/v2/environments", {"name": env, "variables": json.dumps({"k": "v"})}, status=201)
    source = call(client, "POST", "/v2/executions",
                  {"workflow_name": wf, "input": {"a": 2}, "params": {"env": env}}, status=201)
    assert json.loads(source["params"])["env"] == {"k": "v"}  # a stored environment, by name
    delivery.run_execution(source["id"])

    copy = call(client, "POST", "/v2/executions", {"source_execution_id": source["id"], "description": "again",
                                                   "input": json.dumps({"a": 5})}, status=201)
    assert copy["workflow_name"] == wf and copy["workflow_id"] == source["workflow_id"]
    assert copy["description"] == f"again Based on the execution '{source['id']}'"
    assert json.loads(copy["input"]) == {"a": 5} and json.loads(copy["params"])["env"] == {"k": "v"}
    delivery.run_execution(copy["id"])
    tasks = call(client, "GET", f"/v2/executions/{copy['id']}/tasks")["tasks"]
    assert json.loads(tasks[0]["published"]) == {"seen": "v"}
    bare = call(client, "POST", "/v2/executions", {"source_execution_id": source["id"]}, status=201)
    assert bare["description"] == f"Based on the execution '{source['id']}'"  # Mistral: 500
    assert json.loads(bare["input"]) == {"a": 2}

    missing = str(uuid.uuid4())
    code, answer = request(client, "POST", "/v2/executions", {"source_execution_id": missing})
    assert (code, answer["faultstring"]) == (404, f"WorkflowExecution not found [id={missing}]")
