"""At-least-once delivery: applying an event twice changes nothing, and
applying the same batch to the same state again gives the same records and
commands (ids are derived from event ids). Checked on every conformance case."""

from __future__ import annotations

import copy
import glob
import os

import pytest
import yaml

from sirocco.engine import decide
from sirocco.engine.simulation import Simulation

from .harness import catalog, std_action, summary

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = [p for p in sorted(glob.glob(os.path.join(HERE, "..", "..", "conformance", "cases", "*.yaml")))]


class CheckingSimulation(Simulation):
    """Applies each event to a copy first (determinism), then for real, then again (no-op)."""

    def apply(self, execution_id, events):
        state = self.executions[execution_id]
        twin = copy.deepcopy(state)
        first = decide(self.specs, twin, events)
        decision = super().apply(execution_id, events)
        assert first.commands == decision.commands
        assert [r for r in first.changed] == [r for r in decision.changed]
        again = decide(self.specs, state, events)
        assert again.commands == [] and again.changed == [], (events, again)
        return decision


@pytest.mark.parametrize("path", CASES, ids=[os.path.basename(p)[:-5] for p in CASES])
def test_every_event_twice_and_replayed(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        case = yaml.safe_load(f)
    if case["expected"].get("rejected") or os.path.basename(path)[:3] in ("061",):
        pytest.skip("refused before any event")
    specs = catalog(case.get("kind", "workflow"), case["definition"])
    plain = Simulation(specs, std_action)
    eid = plain.start(case["workflow"], case.get("input"), case.get("params"))
    plain.run()
    checked = CheckingSimulation(specs, std_action)
    eid2 = checked.start(case["workflow"], case.get("input"), case.get("params"))
    checked.run()
    assert summary(checked, eid2) == summary(plain, eid)
