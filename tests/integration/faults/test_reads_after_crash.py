"""A handler that stops between its commit and the writes of the records its save
committed leaves them behind the header until its message comes back (the
visibility timeout: minutes on AWS). The API must not show the two disagreeing (an
execution SUCCESS whose task is still RUNNING): its reads see the committed records."""

from __future__ import annotations

import json
from typing import Any, Iterator

import pytest

from sirocco.handlers import runtime as runtime_module

from .harness import Chaos, Stack

WORKFLOW = """
version: '2.0'
reads_one:
  output: {v: <% $.v %>}
  tasks:
    one:
      action: std.echo output=4
      publish: {v: <% task().result %>}
"""


@pytest.fixture()
def client(stack: Stack) -> Iterator[Any]:
    from chalice.test import Client

    import app as sirocco_app

    stack.upload(WORKFLOW)
    saved = runtime_module._runtime
    runtime_module.set_runtime(stack.rt)
    try:
        with Client(sirocco_app.app) as c:
            yield c
    finally:
        runtime_module.set_runtime(saved)
        stack.rt.executions.checkpoint = None


def test_records_a_crash_left_unwritten_are_read_as_committed(stack: Stack, client: Any) -> None:
    def get(path: str) -> Any:
        answer = client.http.get(path)
        assert answer.status_code == 200, answer.body
        return json.loads(answer.body)

    crashed: list[str] = []

    def crash_after_the_final_commit(step: str) -> None:
        if step == "UpdateItem" and not crashed and stack.rt.executions.get_execution(eid)[0].state == "SUCCESS":
            crashed.append(step)
            raise RuntimeError("the engine stops right after committing")

    delivery = Chaos(stack)
    eid = stack.start("reads_one")
    stack.rt.executions.checkpoint = crash_after_the_final_commit
    # the crashed batch's message is not back yet (on AWS: for the visibility timeout)
    delivery.drop = lambda role, record: role == "engine" and int(record["attributes"]["ApproximateReceiveCount"]) > 1
    delivery.run(lambda: bool(crashed) and not delivery.pending(), timeout=20)
    [stored] = stack.rt.executions._query_records(eid, "TASK#")
    assert stored.state == "RUNNING"  # the partition's item lags: written by the save that stopped
    execution = get(f"/v2/executions/{eid}")
    assert execution["state"] == "SUCCESS"
    [task] = get(f"/v2/executions/{eid}/tasks")["tasks"]
    assert task["state"] == "SUCCESS" and json.loads(task["published"]) == {"v": 4}
    assert get(f"/v2/tasks/{task['id']}")["state"] == "SUCCESS"
    [action] = get(f"/v2/tasks/{task['id']}/action_executions")["action_executions"]
    assert action["state"] == "SUCCESS" and get(f"/v2/action_executions/{action['id']}")["state"] == "SUCCESS"
    listed = get(f"/v2/action_executions?task_execution_id={task['id']}")["action_executions"]
    assert [a["state"] for a in listed] == ["SUCCESS"]
