"""The lazy load: a batch on a large execution reads a handful of items, and
gives the engine the same records as a full load."""

from __future__ import annotations

import dataclasses
import uuid

from sirocco.engine import ActionCompleted, decide
from sirocco.persistence.executions import LazyRecords
from sirocco.persistence.records_codec import encode_commands

from .driver import WORKFLOW, Driver
from .helpers import snapshot

FAN = """
version: '2.0'
wf:
  input: [n]
  tasks:
    fan:
      with-items: i in <% range($.n) %>
      action: test.async
      on-success: [after]
    after:
      action: std.echo output="done"
"""
N = 300


def _large_execution(store) -> tuple[str, Driver]:
    eid = str(uuid.uuid4())
    driver = Driver(store, FAN)
    driver.start(eid, input={"n": N})
    driver.run()
    return eid, driver


def _complete(index: int, fan_id: str) -> ActionCompleted:
    return ActionCompleted(f"done-{index}", 1_800_000_000.0 + index, action_id=f"{fan_id}.1.{index}", result=index)


def test_a_batch_on_a_large_execution_reads_a_handful_of_items(store):
    eid, driver = _large_execution(store)
    full = store.load(eid)
    assert len(full.state.actions) == N
    fan_id = full.state.header.last_task["fan"]
    expected = decide(driver.specs, full.state, [_complete(7, fan_id)])

    store.stats.calls.clear()
    store.stats.items_read = 0
    lazy = store.load(eid, lazy=True)
    decision = decide(driver.specs, lazy.state, [_complete(7, fan_id)])
    print("lazy batch:", store.stats)
    assert store.stats.items_read <= 6, store.stats
    assert store.stats.total() <= 6, store.stats
    assert isinstance(lazy.state.actions, LazyRecords) and lazy.state.actions.fetched <= 2

    def plain(records):
        return sorted((r.key, dataclasses.astuple(r)) for r in records)

    assert plain(decision.changed) == plain(expected.changed)
    assert decision.commands == expected.commands
    store.save(eid, decision, encode_commands(decision.commands), lazy.version)
    assert store.load(eid).state.actions[f"{fan_id}.1.7"].result == 7


def test_finishing_the_large_with_items_lazily_gives_the_full_load_result(store):
    """The last item assembles N results: the lazy map falls back to one Query."""
    eid, driver = _large_execution(store)
    fan_id = store.load(eid).state.header.last_task["fan"]
    driver.lazy = True
    driver.batch_size = 50
    for i in range(N):
        driver.post(eid, lambda id_, t, i=i: _complete(i, fan_id).__class__(
            id_, t, action_id=f"{fan_id}.1.{i}", result=i), f"done-{i}")
    store.stats.calls.clear()
    driver.run()
    header = store.load(eid).state.header
    assert header.state == "SUCCESS"
    fan = store.load(eid).state.tasks[fan_id]
    assert fan.result == list(range(N))
    assert store.stats.calls.get("GetItem", 0) < 100  # no GetItem per item: one Query took over


def test_a_whole_run_with_lazy_loads_equals_one_with_full_loads(store):
    outcomes = []
    for lazy in (False, True):
        eid = str(uuid.uuid4())
        driver = Driver(store, WORKFLOW, lazy=lazy)
        driver.start(eid, input={"names": ["a", "b", "c"]}, event_id="start")
        driver.run()
        records = snapshot(store, eid)
        records["EXEC"] = dataclasses.replace(records["EXEC"], id="-")
        outcomes.append(records)
    assert outcomes[0] == outcomes[1]
    assert outcomes[0]["EXEC"].state == "SUCCESS"


PACED = FAN.replace("      action: test.async\n      on-success", "      concurrency: 10\n      action: test.async\n      on-success")


def test_batches_that_launch_items_read_the_item_values_once(store):
    """Every batch of a with-items under ``concurrency`` launches the next items from the
    task's item values: the store decodes them once, later batches read no payload and
    one small item for them, whatever the number of items."""
    eid = str(uuid.uuid4())
    driver = Driver(store, PACED)
    driver.start(eid, input={"n": N})
    driver.run()
    fan_id = store.load(eid).state.header.last_task["fan"]
    reads = []
    for index in range(3):
        store.stats.calls.clear()
        store.stats.items_read = 0
        lazy = store.load(eid, lazy=True)
        decision = decide(driver.specs, lazy.state, [_complete(index, fan_id)])
        launched = [c for c in decision.commands if getattr(c, "index", None) == 10 + index]
        assert len(launched) == 1  # the next item, with its value
        store.save(eid, decision, encode_commands(decision.commands), lazy.version)
        reads.append((store.stats.calls.get("s3.GetObject", 0), store.stats.items_read))
    assert reads[1][0] == reads[2][0] == 0, reads
    assert reads[2][1] <= 6, reads
