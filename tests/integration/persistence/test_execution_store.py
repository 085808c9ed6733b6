"""Save and load over the emulator: every record type, a real engine run, the
outbox, optimistic concurrency, idempotent saves, TTL."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from sirocco.engine import decide
from sirocco.engine.records import ActionRecord
from sirocco.persistence import ConcurrentSaveError, ExecutionStore
from sirocco.persistence.executions import state_records
from sirocco.persistence.records_codec import encode_commands

from .driver import Driver
from .helpers import FakeDecision, decision_of, raw_items, snapshot
from .records import every_record


def test_every_record_type_round_trips_through_the_table(store, eid):
    records = every_record(eid)
    assert store.save(eid, decision_of(records), [], 0) == 1
    assert snapshot(store, eid) == {r.key: r for r in records}
    loaded = store.load(eid)
    assert loaded.version == 1 and loaded.outbox == []
    assert loaded.meta == {"project_id": "<default-project>"}
    assert loaded.state.changed == {}
    assert set(loaded.state.tasks) == {"t-1"} and set(loaded.state.items) == {"t-1"}
    assert set(loaded.state.actions) == {"t-1.2.1"} and set(loaded.state.calls) == {"c-1"}


def test_one_query_loads_an_execution(store, eid):
    store.save(eid, decision_of(every_record(eid)), [], 0)
    store.stats.calls.clear()
    store.load(eid)
    assert store.stats.calls == {"Query": 1}


def test_every_state_of_a_real_run_reads_back_as_the_engine_left_it(store, eid):
    """After each save, a fresh load equals the engine's in-memory state."""
    driver = Driver(store)
    checked = []

    def handle(eid_, batch):
        loaded = store.load(eid_)
        state, version = (loaded.state, loaded.version) if loaded else (None, 0)
        if state is None:
            from sirocco.engine import ExecutionState

            state = ExecutionState.new(eid_)
        decision = decide(driver.specs, state, batch)
        commands = encode_commands(decision.commands)
        new = store.save(eid_, decision, commands, version)
        driver.send(commands)
        store.mark_sent(eid_, new)
        assert snapshot(store, eid_) == {r.key: r for r in state_records(state)}
        checked.append(new)

    driver.handle = handle
    driver.start(eid, input={"names": ["a", "b", "c"]})
    driver.run()
    header = store.load(eid).state.header
    assert header.state == "SUCCESS"
    assert header.output["final"] == [["a", "b", "c"], "left", "flaky ok"]
    assert len(checked) >= 8


def test_a_concurrent_writer_loses_with_a_clear_exception(store, eid):
    records = every_record(eid)
    store.save(eid, decision_of(records), [], 0)
    first, second = store.load(eid), store.load(eid)
    first.state.header.active = 10
    store.save(eid, decision_of([first.state.header]), [], first.version)
    second.state.header.active = 20
    with pytest.raises(ConcurrentSaveError) as caught:
        store.save(eid, decision_of([second.state.header]), [], second.version)
    assert (caught.value.expected, caught.value.found) == (1, 2)
    assert "expected version 1, found 2" in str(caught.value)
    assert store.load(eid).state.header.active == 10


def test_a_second_start_of_the_same_execution_loses(store, eid):
    store.save(eid, decision_of(every_record(eid)), [], 0)
    other = every_record(eid)
    other[0].workflow = "other"
    with pytest.raises(ConcurrentSaveError):
        store.save(eid, decision_of(other), [], 0)


def test_saving_the_same_decision_twice_changes_nothing(store, eid):
    records = every_record(eid)
    commands = [{"type": "RunAction", "fields": {"action_id": "a"}}]
    assert store.save(eid, decision_of(records), commands, 0) == 1
    before = raw_items(store, eid)
    assert store.save(eid, decision_of(records), commands, 0) == 1
    assert raw_items(store, eid) == before
    store.mark_sent(eid, 1)
    after_sent = raw_items(store, eid)
    assert store.save(eid, decision_of(records), commands, 0) == 1
    assert raw_items(store, eid) == after_sent


def test_a_batch_that_changed_nothing_writes_nothing(store, eid):
    store.save(eid, decision_of(every_record(eid)), [], 0)
    loaded = store.load(eid)
    store.stats.calls.clear()
    assert store.save(eid, FakeDecision(loaded.state, []), [], loaded.version) == 1
    assert store.stats.calls == {}


def test_the_outbox_stays_pending_until_marked_sent(store, eid):
    records = every_record(eid)
    commands = [{"type": "RunAction", "fields": {"action_id": "x"}}]
    store.save(eid, decision_of(records), commands, 0)
    assert store.pending_outbox(eid) == (1, commands)
    assert store.load(eid).outbox == commands
    store.mark_sent(eid, 1)
    assert store.pending_outbox(eid) is None
    assert store.load(eid).outbox == []
    store.mark_sent(eid, 0)  # never moves backwards
    assert store.pending_outbox(eid) is None


def test_only_changed_records_are_written(store, eid):
    records = every_record(eid)
    store.save(eid, decision_of(records), [], 0)
    loaded = store.load(eid)
    action = loaded.state.actions["t-1.2.1"]
    action.state = "SUCCESS"
    new_action = ActionRecord(id="t-1.3.0", task_id="t-1", run=3, index=0, name="std.noop", input={})
    store.stats.calls.clear()
    store.stats.items_written = 0
    store.save(eid, decision_of([loaded.state.header, action, new_action]), [], loaded.version)
    # header (commit), two records (one BatchWriteItem), DONE marker
    assert store.stats.calls == {"UpdateItem": 1, "BatchWriteItem": 1, "PutItem": 1}
    assert store.stats.items_written == 1 + 2 + 1
    items = raw_items(store, eid)
    assert items["ACTION#t-1.3.0"]["v"] == 2 and items["TASK#t-1"]["v"] == 1


def test_meta_is_kept_from_creation(store, eid):
    records = every_record(eid)
    store.save(eid, decision_of(records), [], 0, meta={"project_id": "p1", "namespace": "ns"})
    loaded = store.load(eid)
    store.save(eid, decision_of([loaded.state.header]), [], 1, meta={"project_id": "ignored"})
    assert store.load(eid).meta == {"project_id": "p1", "namespace": "ns"}
    assert store.get_execution(eid)[1]["project_id"] == "p1"


def test_finished_executions_get_a_ttl(settings, models, payloads, eid):
    store = ExecutionStore(dataclasses.replace(settings, execution_retention=3600), models, payloads)
    records = every_record(eid)
    records[0].state = "SUCCESS"
    store.save(eid, decision_of(records), [], 0)
    items = raw_items(store, eid)
    expected = int(records[0].updated_at) + 3600
    assert {sk: int(i["expires_at"].timestamp()) for sk, i in items.items() if "expires_at" in i} == {
        sk: expected for sk in items if sk != "DONE"}
    other = str(uuid.uuid4())
    store.save(other, decision_of(every_record(other)), [], 0)
    assert not any("expires_at" in i for i in raw_items(store, other).values())
    assert store.expire(other, 2_000_000_000) == 6
    assert all(int(i["expires_at"].timestamp()) == 2_000_000_000 for i in raw_items(store, other).values())
