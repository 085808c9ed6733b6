"""Crash safety of the outbox: a crash after any AWS call of a save (or of the
recovery itself, or after sending) followed by redelivery of the batch gives
exactly the records of a run without faults, and loses no command."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import pytest

from sirocco.persistence import ExecutionStore

from .driver import Crash, Driver
from .helpers import raw_items, snapshot

INPUT = {"names": ["a", "b"]}


def _run(store: ExecutionStore, eid: str, crash_at: int | None = None) -> tuple[list[str], Driver]:
    """Run the test workflow to its end; raise ``Crash`` at the ``crash_at``-th
    checkpoint (1-based). Returns the checkpoint names seen."""
    seen: list[str] = []

    def checkpoint(name: str) -> None:
        seen.append(name)
        if len(seen) == crash_at:
            raise Crash(name)

    store.checkpoint = checkpoint
    driver = Driver(store)
    driver.batch_size = 10  # fewer, larger batches: every kind of call still happens, in less time
    driver.start(eid, input=INPUT, event_id="start")
    driver.run()
    store.checkpoint = None
    return seen, driver


def _outcome(store: ExecutionStore, eid: str) -> dict[str, Any]:
    records = snapshot(store, eid)
    records["EXEC"] = dataclasses.replace(records["EXEC"], id="<eid>")
    versions = {sk: item.get("v") for sk, item in raw_items(store, eid).items()}
    return {"records": records, "versions": versions}


def _commands(driver: Driver) -> set[str]:
    import json

    return {json.dumps({**c, "fields": {**c["fields"], "execution_id": None}}, sort_keys=True) for c in driver.sent}


@pytest.fixture(scope="module")
def fault_free(settings, models, payloads):
    store = ExecutionStore(settings, models, payloads)
    eid = str(uuid.uuid4())
    seen, driver = _run(store, eid)
    outcome = _outcome(store, eid)
    assert outcome["records"]["EXEC"].state == "SUCCESS"
    return seen, outcome, _commands(driver), len(driver.sent)


def test_the_checkpoints_cover_every_step(fault_free):
    seen, outcome, _, _ = fault_free
    assert {"UpdateItem", "BatchWriteItem", "PutItem", "sent"} <= set(seen)
    assert outcome["versions"]["DONE"] == outcome["versions"]["EXEC"]


def test_a_crash_after_any_call_recovers_to_the_fault_free_records(store, fault_free):
    seen, expected, commands, sent = fault_free
    resent = 0
    for crash_at in range(1, len(seen) + 1):
        eid = str(uuid.uuid4())
        _, driver = _run(store, eid, crash_at)
        assert _outcome(store, eid) == expected, f"crash after call {crash_at} ({seen[crash_at - 1]})"
        assert _commands(driver) == commands, f"commands differ after a crash at {crash_at}"
        assert store.pending_outbox(eid) is None
        resent += len(driver.sent) > sent
    assert len(seen) >= 15
    assert resent >= 3  # crashes between commit and mark_sent resent the outbox (at least once delivery)


def test_a_crash_after_an_s3_put_recovers_too(settings, models, payloads):
    """With a tiny item budget every save offloads header fields and its log to
    S3; a crash after any of those puts (before the commit, or after it while
    the log is in S3) still ends in the fault-free records."""
    store = ExecutionStore(dataclasses.replace(settings, item_budget=1200), models, payloads)
    seen, driver = _run(store, str(uuid.uuid4()))
    expected_eid = str(uuid.uuid4())
    _run(store, expected_eid)
    expected, commands = _outcome(store, expected_eid), _commands(driver)
    header_item = raw_items(store, expected_eid)["EXEC"]
    assert header_item.get("log_s3") or header_item.get("s3")
    puts = [i + 1 for i, name in enumerate(seen) if name == "s3.PutObject"]
    assert len(puts) >= 5
    for crash_at in puts:
        eid = str(uuid.uuid4())
        _, crashed = _run(store, eid, crash_at)
        assert _outcome(store, eid) == expected, f"crash after call {crash_at}"
        assert _commands(crashed) == commands


def test_a_crash_midway_through_materialising_is_completed_by_the_next_load(settings, models, payloads):
    """A batch of more than 25 records is written in several calls; a crash between
    them leaves a partition that a load completes (and reads correctly meanwhile)."""
    store = ExecutionStore(settings, models, payloads)
    driver = Driver(store)
    eid = str(uuid.uuid4())
    names = [f"n{i}" for i in range(40)]
    driver.start(eid, input={"names": names}, event_id="start")
    driver.step()  # StartExecution: starts 40 items -> 40 action records, 2 BatchWriteItem calls
    batch_writes = []

    def checkpoint(name: str) -> None:
        if name == "BatchWriteItem":
            batch_writes.append(name)
            if len(batch_writes) == 1:
                raise Crash(name)

    store.checkpoint = checkpoint
    # replay the whole first batch from scratch in a fresh execution, crashing after the first chunk
    other = str(uuid.uuid4())
    crashed = Driver(store)
    crashed.start(other, input={"names": names}, event_id="start")
    crashed.step()
    store.checkpoint = None
    partial = raw_items(store, other)
    assert len(partial) == 1 + 25  # the header (commit) and the first chunk only
    loaded = store.load(other)  # completes the log
    assert len(loaded.state.actions) == 40 and loaded.outbox
    assert sum(sk.startswith("ACTION#") for sk in raw_items(store, other)) == 40
    reference = store.load(eid)
    assert {k: v for k, v in snapshot(store, other).items() if k != "EXEC"} == \
        {k: v for k, v in snapshot(store, eid).items() if k != "EXEC"}
    assert loaded.version == reference.version
