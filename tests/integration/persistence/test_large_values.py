"""Values above DynamoDB's item limit go to S3 and come back transparently."""

from __future__ import annotations

import dataclasses
import json

from sirocco.engine.records import ActionRecord, TaskRecord
from sirocco.persistence import ExecutionStore

from .driver import Driver
from .helpers import decision_of, raw_items, snapshot
from .records import every_record

BIG = """
version: '2.0'
wf:
  tasks:
    produce:
      action: test.big size=2000000
      on-success: [after]
    after:
      action: std.echo output="small"
"""


def test_a_2mb_task_result_passes_through(store, eid):
    driver = Driver(store, BIG)
    driver.start(eid)
    driver.run()
    loaded = store.load(eid)
    assert loaded.state.header.state == "SUCCESS"
    produce = loaded.state.tasks[loaded.state.header.last_task["produce"]]
    assert produce.result == "x" * 2_000_000
    action = next(a for a in loaded.state.actions.values() if a.task_id == produce.id)
    assert action.result == "x" * 2_000_000
    items = raw_items(store, eid)
    offloaded = {sk: json.loads(i["s3"]) for sk, i in items.items() if "s3" in i}
    assert offloaded == {f"TASK#{produce.id}": {"result": offloaded[f"TASK#{produce.id}"]["result"]},
                         f"ACTION#{action.id}": {"result": offloaded[f"TASK#{produce.id}"]["result"]}}
    assert all(len(i.get("body") or "") < 350 * 1024 for i in items.values())


def test_a_value_near_10mb_round_trips(store, eid):
    header, task = every_record(eid)[:2]
    task.result = {"blob": "é" * 4_900_000}  # ~9.8 MB of UTF-8
    store.save(eid, decision_of([header, task]), [], 0)
    assert store.load(eid).state.tasks[task.id].result == task.result


def test_a_large_header_and_a_large_log_go_to_s3(settings, models, payloads, eid):
    store = ExecutionStore(dataclasses.replace(settings, item_budget=4096), models, payloads)
    header = every_record(eid)[0]
    header.final_ctx = {"big": "y" * 10_000}
    actions = [ActionRecord(id=f"t.1.{i}", task_id="t", run=1, index=i, name="std.echo", input={"output": i})
               for i in range(60)]
    commands = [{"type": "RunAction", "fields": {"action_id": a.id, "pad": "z" * 100}} for a in actions]
    store.save(eid, decision_of([header, *actions]), commands, 0)
    items = raw_items(store, eid)
    assert items["EXEC"].get("log") is None and items["EXEC"]["log_s3"]
    assert "final_ctx" in json.loads(items["EXEC"]["s3"])
    loaded = store.load(eid)
    assert loaded.outbox == commands
    assert snapshot(store, eid) == {r.key: r for r in [header, *actions]}
    # the next save with a small log goes back inline and drops the pointers it no longer needs
    loaded.state.header.final_ctx = {}
    store.mark_sent(eid, 1)
    store.save(eid, decision_of([loaded.state.header]), [], 1)
    header_item = raw_items(store, eid)["EXEC"]
    assert "log_s3" not in header_item and "s3" not in header_item and header_item["log"]


def test_one_object_per_distinct_value(store, eid):
    header = every_record(eid)[0]
    result = "r" * 500_000
    task = TaskRecord(id="t", name="n", seq=1, result=result, has_result=True)
    action = ActionRecord(id="t.1.0", task_id="t", run=1, index=0, name="a", input={}, result=result)
    store.save(eid, decision_of([header, task, action]), [], 0)
    items = raw_items(store, eid)
    assert json.loads(items["TASK#t"]["s3"]) == json.loads(items["ACTION#t.1.0"]["s3"])
    store.payloads.gets = 0
    store.load(eid)
    assert store.payloads.gets == 1
