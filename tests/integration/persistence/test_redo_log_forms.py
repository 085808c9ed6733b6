"""The redo log in both of its inline forms: ``logz`` (zlib, written since the log was
compressed) and plain ``log`` (items saved before): every reader of an unfinished save
gets its records and commands back from either."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sirocco.engine.records import ActionRecord
from sirocco.persistence import executions

from .helpers import decision_of, raw_items
from .records import every_record


def _unfinished_save(store: Any, eid: str) -> tuple[list[Any], list[dict[str, Any]]]:
    """A save of a header and 20 action runs with their commands, not marked sent."""
    header = every_record(eid)[0]
    actions = [ActionRecord(id=f"t.1.{i}", task_id="t", run=1, index=i, name="std.echo", input={"output": i})
               for i in range(20)]
    commands = [{"type": "RunAction", "fields": {"action_id": a.id}} for a in actions]
    store.save(eid, decision_of([header, *actions]), commands, 0)
    return [header, *actions], commands


@pytest.mark.parametrize("form", ["logz", "log"])
def test_every_reader_of_an_unfinished_save_reads_either_form(store, eid, monkeypatch, form):
    if form == "log":  # an item written before the log was compressed
        monkeypatch.setattr(executions, "PACK_LOG_OVER", 10**9)
    records, commands = _unfinished_save(store, eid)
    monkeypatch.undo()
    header_item = raw_items(store, eid)["EXEC"]
    assert form in header_item and ({"log", "logz"} - {form}).isdisjoint(header_item)
    action = records[5]
    assert store.unfinished([eid])[eid][action.key]["sk"] == action.key
    assert store.fetch_record(eid, action.key) == action
    assert store.load(eid, lazy=True).outbox == commands
    assert store.load(eid).outbox == commands
    assert store.pending_outbox(eid) == (1, commands)


@pytest.mark.parametrize("form", ["logz", "log"])
def test_an_amendment_carries_the_unsent_commands_of_either_form(store, eid, monkeypatch, form):
    if form == "log":
        monkeypatch.setattr(executions, "PACK_LOG_OVER", 10**9)
    _, commands = _unfinished_save(store, eid)
    monkeypatch.undo()
    monkeypatch.setattr(executions, "AMEND_WAIT", 0.0)

    def change(header: Any) -> None:
        header.params = {**header.params, "env": {"k": "changed"}}

    store.amend_header(eid, change)
    header_item = raw_items(store, eid)["EXEC"]
    assert "logz" in header_item and "log" not in header_item  # the plain log is replaced, not left stale
    loaded = store.load(eid)
    assert loaded.version == 2 and loaded.outbox == commands
    assert loaded.state.header.params["env"] == {"k": "changed"}


@pytest.mark.parametrize("form", ["logz", "log"])
def test_a_tombstone_keeps_no_log_of_either_form(store, eid, monkeypatch, form):
    if form == "log":
        monkeypatch.setattr(executions, "PACK_LOG_OVER", 10**9)
    _unfinished_save(store, eid)
    monkeypatch.undo()
    assert store.delete_tree(eid, now=1_700_000_100.0) == [eid]
    header_item = raw_items(store, eid)["EXEC"]
    assert header_item.get("gone") and not {"log", "logz", "log_s3"} & set(header_item)
    assert store.pending_outbox(eid) is None


def test_the_log_form_the_commit_digest_names_wins_when_an_older_writer_left_both(store, eid):
    """During a deploy, a writer that knows only ``log`` may commit over a ``logz`` it does not
    remove: readers take the form the header's digest was computed over."""
    _unfinished_save(store, eid)
    I = store.Item
    header = I.get(eid, "EXEC", consistent_read=True)
    newer = [{"type": "RunAction", "fields": {"action_id": "t.1.99"}}]
    text = json.dumps({"items": [], "commands": newer})
    I._get_connection().update_item(eid, "EXEC", actions=[
        I.log.set(text), I.digest.set(executions._digest(header.body, header.s3, text))])
    assert {"log", "logz"} <= set(raw_items(store, eid)["EXEC"])
    assert store.pending_outbox(eid) == (1, newer)
