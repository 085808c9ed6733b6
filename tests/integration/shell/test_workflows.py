"""Workflows started over the API run to the end through the queues, the
handlers and DynamoDB (moto's server over real HTTP)."""

from __future__ import annotations

import json
import uuid

from .helpers import get, start, upload

HELLO = """
version: '2.0'
hello_{n}:
  input:
    - name
    - greeting: "Hi"
  output:
    msg: <% $.msg %>
  tasks:
    say:
      action: std.echo output="<% $.greeting %> <% $.name %>"
      publish:
        msg: <% task().result %>
      on-success: [shout]
    shout:
      action: std.echo output=<% $.msg.toUpper() %>
      publish:
        loud: <% task().result %>
"""


def _name() -> str:
    return uuid.uuid4().hex[:8]


def test_a_workflow_started_over_the_api_reaches_success(client, rt, delivery):
    n = _name()
    created = upload(client, HELLO.format(n=n))
    assert [w["name"] for w in created["workflows"]] == [f"hello_{n}"]
    ex = start(client, f"hello_{n}", {"name": "Bob"})
    assert ex["state"] == "RUNNING" and json.loads(ex["input"]) == {"name": "Bob", "greeting": "Hi"}
    header = delivery.run_execution(ex["id"])
    assert header.state == "SUCCESS", header.state_info
    view = get(client, f"/v2/executions/{ex['id']}")
    assert view["state"] == "SUCCESS"
    assert json.loads(view["output"]) == {"msg": "Hi Bob"}
    assert view["workflow_id"] == created["workflows"][0]["id"]
    tasks = get(client, f"/v2/executions/{ex['id']}/tasks")["tasks"]
    assert [(t["name"], t["state"]) for t in tasks] == [("say", "SUCCESS"), ("shout", "SUCCESS")]
    assert json.loads(tasks[1]["published"]) == {"loud": "HI BOB"}
    # the records are in DynamoDB
    assert len(rt.executions.list_tasks(ex["id"])) == 2
    actions = rt.executions.list_actions(ex["id"])
    assert sorted(a.name for a in actions) == ["std.echo", "std.echo"]
    assert all(a.state == "SUCCESS" for a in actions)


FAILING = """
version: '2.0'
failing_{n}:
  tasks:
    first:
      action: std.echo output="before"
      on-success: [boom]
    boom:
      action: std.fail error_data="it broke"
"""


def test_a_failing_workflow_reaches_error(client, rt, delivery):
    n = _name()
    upload(client, FAILING.format(n=n))
    ex = start(client, f"failing_{n}")
    header = delivery.run_execution(ex["id"])
    assert header.state == "ERROR"
    view = get(client, f"/v2/executions/{ex['id']}")
    assert view["state"] == "ERROR" and view["state_info"]
    tasks = {t["name"]: t for t in get(client, f"/v2/executions/{ex['id']}/tasks")["tasks"]}
    assert tasks["first"]["state"] == "SUCCESS" and tasks["boom"]["state"] == "ERROR"
    actions = {a.name: a for a in rt.executions.list_actions(ex["id"])}
    assert actions["std.fail"].state == "ERROR"


WITH_ITEMS = """
version: '2.0'
items_{n}:
  input: [items]
  output:
    count: <% $.count %>
    last: <% $.last %>
  tasks:
    each:
      with-items: i in <% $.items %>
      concurrency: {concurrency}
      action: std.echo output=<% $.i * 2 %>
      publish:
        count: <% len(task().result) %>
        last: <% task().result.last() %>
"""


def test_with_items_over_1000_items_completes(client, rt, delivery):
    import time

    n = _name()
    upload(client, WITH_ITEMS.format(n=n, concurrency=50))
    started = time.perf_counter()
    ex = start(client, f"items_{n}", {"items": list(range(1000))})
    header = delivery.run_execution(ex["id"], timeout=120)
    elapsed = time.perf_counter() - started
    assert header.state == "SUCCESS", header.state_info
    assert header.output == {"count": 1000, "last": 1998}
    assert len(rt.executions.list_actions(ex["id"])) == 1000
    print(f"with-items 1000: {elapsed:.1f} s, engine batches {delivery.batches['engine']}, "
          f"executor batches {delivery.batches['executor']}")
    assert elapsed < 90  # ~25 s on a 2-core machine; moto costs ~15 ms a call


BIG = """
version: '2.0'
big_{n}:
  input: [blob]
  output:
    size: <% len($.copy) %>
    copy: <% $.copy %>
  tasks:
    echo:
      action: std.echo output=<% $.blob %>
      publish:
        copy: <% task().result %>
"""


def test_a_2mb_payload_passes_through_a_task(client, rt, delivery):
    n = _name()
    upload(client, BIG.format(n=n))
    blob = "y" * (2 * 1024 * 1024)
    offloaded = rt.queues.offloaded
    ex = start(client, f"big_{n}", {"blob": blob})
    header = delivery.run_execution(ex["id"])
    assert header.state == "SUCCESS", header.state_info
    assert header.output["size"] == len(blob) and header.output["copy"] == blob
    view = get(client, f"/v2/executions/{ex['id']}")
    assert json.loads(view["output"])["copy"] == blob
    # StartExecution, RunAction and ActionCompleted each went through S3
    assert rt.queues.offloaded - offloaded >= 3
    assert all(len(b.encode()) < 256 * 1024 for bodies in delivery.bodies.values() for b in bodies)
