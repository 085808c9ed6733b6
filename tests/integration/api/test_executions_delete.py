"""DELETE /v2/executions/<id> through the Chalice app: Mistral's rules and messages (read
from Mistral 23.0.0), its cascade to sub-executions, and what an engine still working on
the execution leaves behind (nothing)."""

from __future__ import annotations

import uuid
from typing import Any

from sirocco.handlers.runtime import Runtime

from .helpers import call, request

PARENT = """version: '2.0'
{leaf}:
  tasks:
    l1:
      action: std.noop
{top}:
  tasks:
    a:
      action: std.noop
      on-success: [b]
    b:
      with-items: i in [1, 2]
      workflow: {leaf}
"""
HANG = "version: '2.0'\n{wf}:\n  tasks:\n    t:\n      action: std.async_noop\n    u:\n      action: std.noop\n"


def _names() -> tuple[str, str]:
    n = uuid.uuid4().hex[:8]
    return f"top_{n}", f"leaf_{n}"


def _items(rt: Runtime, eid: str) -> list[str]:
    """What the partition holds (sort keys), read straight from the table."""
    return [row.sk for row in rt.executions.Item.query(eid, consistent_read=True)]


def _gone(client: Any, eid: str) -> None:
    code, answer = request(client, "GET", f"/v2/executions/{eid}")
    assert (code, answer["faultstring"]) == (404, f"WorkflowExecution not found [id={eid}]")


def test_only_ended_executions_unless_forced(client, delivery):
    wf = f"hang_{uuid.uuid4().hex[:8]}"
    call(client, "POST", "/v2/workflows", HANG.format(wf=wf), status=201)
    ex = call(client, "POST", "/v2/executions", {"workflow_name": wf}, status=201)
    delivery.run()
    code, answer = request(client, "DELETE", f"/v2/executions/{ex['id']}")
    assert code == 403 and answer["faultstring"] == ("Only completed executions can be deleted. Use --force to "
                                                     f"override this. Execution {ex['id']} is in RUNNING state")
    assert call(client, "GET", f"/v2/executions/{ex['id']}")["state"] == "RUNNING"
    assert request(client, "DELETE", f"/v2/executions/{ex['id']}?force=true") == (204, None)
    _gone(client, ex["id"])
    assert ex["id"] not in [e["id"] for e in call(client, "GET", f"/v2/executions?workflow_name={wf}")["executions"]]
    code, answer = request(client, "DELETE", f"/v2/executions/{ex['id']}")
    assert (code, answer["faultstring"]) == (404, f"WorkflowExecution not found [id={ex['id']}]")
    delivery.run()
    assert delivery.failures["engine"] == 0


def test_sub_executions_go_with_their_parent(client, delivery, rt):
    top, leaf = _names()
    call(client, "POST", "/v2/workflows", PARENT.format(top=top, leaf=leaf), status=201)
    ex = call(client, "POST", "/v2/executions", {"workflow_name": top}, status=201)
    delivery.run_execution(ex["id"])
    tree = call(client, "GET", f"/v2/executions/{ex['id']}/executions")["executions"]
    children = [e["id"] for e in tree[1:]]
    assert len(children) == 2 and all(e["state"] == "SUCCESS" for e in tree)
    assert request(client, "DELETE", f"/v2/executions/{ex['id']}") == (204, None)
    for eid in [ex["id"], *children]:
        _gone(client, eid)
        assert _items(rt, eid) == ["EXEC"]  # the tombstone alone
    assert call(client, "GET", f"/v2/executions?workflow_name={leaf}")["executions"] == []
    delivery.run()
    assert delivery.failures["engine"] == 0


def test_deleting_a_sub_execution_leaves_its_parent(client, delivery):
    top, leaf = _names()
    call(client, "POST", "/v2/workflows", PARENT.format(top=top, leaf=leaf), status=201)
    ex = call(client, "POST", "/v2/executions", {"workflow_name": top}, status=201)
    delivery.run_execution(ex["id"])
    child = call(client, "GET", f"/v2/executions/{ex['id']}/executions")["executions"][1]["id"]
    assert request(client, "DELETE", f"/v2/executions/{child}") == (204, None)
    _gone(client, child)
    assert call(client, "GET", f"/v2/executions/{ex['id']}")["state"] == "SUCCESS"
    assert len(call(client, "GET", f"/v2/executions/{ex['id']}/executions")["executions"]) == 2


def test_a_delete_before_the_engine_started_it_leaves_nothing(client, delivery, rt):
    """Deleted while its start is still queued: the start finds a deleted execution and
    changes nothing; no action runs and no message fails."""
    wf = f"hang_{uuid.uuid4().hex[:8]}"
    call(client, "POST", "/v2/workflows", HANG.format(wf=wf), status=201)
    ex = call(client, "POST", "/v2/executions", {"workflow_name": wf}, status=201)
    assert request(client, "DELETE", f"/v2/executions/{ex['id']}?force=true") == (204, None)
    delivery.run()
    _gone(client, ex["id"])
    assert _items(rt, ex["id"]) == ["EXEC"]
    assert delivery.messages["executor"] == 0 and delivery.failures["engine"] == 0


def test_a_delete_during_an_engine_batch_leaves_nothing(client, delivery, rt):
    """Force-deleted while an engine batch is between its commit and its writes (the
    worst moment): the batch's late writes are swept once the execution's queue moves on,
    and its actions' results find nothing to change."""
    top, leaf = _names()
    call(client, "POST", "/v2/workflows", PARENT.format(top=top, leaf=leaf), status=201)
    ex = call(client, "POST", "/v2/executions", {"workflow_name": top}, status=201)
    eid = ex["id"]
    done: list[int] = []

    def delete_now(step: str) -> None:
        if step == "UpdateItem" and not done:  # a batch of this execution has just committed
            done.append(request(client, "DELETE", f"/v2/executions/{eid}?force=true")[0])
    rt.executions.checkpoint = delete_now
    try:
        delivery.pump("engine")  # the start: commit, then (after the delete) its writes and commands
    finally:
        rt.executions.checkpoint = None
    assert done == [204]
    assert len(_items(rt, eid)) > 1  # the batch wrote after the sweep
    delivery.run()
    _gone(client, eid)
    assert _items(rt, eid) == ["EXEC"]
    assert call(client, "GET", f"/v2/executions?workflow_name={leaf}")["executions"] == []
    assert delivery.failures["engine"] == 0
