from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sirocco.engine.records import ExecutionState
from sirocco.persistence import ExecutionStore
from sirocco.persistence.executions import state_records


@dataclass
class FakeDecision:
    """What ``save`` reads from a ``Decision``: the state (its header) and the changed records."""

    state: ExecutionState
    changed: list[Any] = field(default_factory=list)


def decision_of(records: list[Any]) -> FakeDecision:
    state = ExecutionState(records[0])
    return FakeDecision(state, list(records))


def snapshot(store: ExecutionStore, eid: str) -> dict[str, Any]:
    """Every record of an execution as the store holds it (a full load), by key."""
    loaded = store.load(eid)
    assert loaded is not None
    return {r.key: r for r in state_records(loaded.state)}


def raw_items(store: ExecutionStore, eid: str) -> dict[str, dict[str, Any]]:
    """The partition's items as stored (attribute values), by sort key."""
    return {row.sk: {k: v for k, v in row.attribute_values.items()} for row in
            store.Item.query(eid, consistent_read=True)}
