"""Test harness for the engine: a few std actions on the virtual clock,
specs from YAML text, and runs summarised the way the conformance cases
record them (state, output, task states)."""

from __future__ import annotations

from collections import Counter
from typing import Any, Callable

from sirocco.engine import ActionSignature, Catalog, RunAction
from sirocco.engine.simulation import ActionOutcome, Simulation
from sirocco.language import parse_workbook, parse_workflows

SIGNATURES = {
    "std.noop": ActionSignature(),
    "std.async_noop": ActionSignature(),
    "std.echo": ActionSignature(required=("output",), optional=("delay",)),
    "std.fail": ActionSignature(optional=("error_data",)),
    "std.sleep": ActionSignature(optional=("seconds",)),
    "std.test_dict": ActionSignature(optional=("size", "key_prefix", "val")),
    "test.scripted": ActionSignature(extra=True),
}


def std_action(cmd: RunAction, sim: Simulation) -> ActionOutcome:
    """std.noop / echo (output, delay) / fail (error_data) / sleep / test_dict, as Mistral's."""
    args = cmd.input
    if cmd.name == "std.noop":
        return ActionOutcome(None)
    if cmd.name == "std.async_noop":
        return ActionOutcome(pending=True)
    if cmd.name == "std.echo":
        return ActionOutcome(args.get("output"), delay=float(args.get("delay") or 0))
    if cmd.name == "std.fail":
        data = args.get("error_data")
        return ActionOutcome(error=data if data else
                             "The action raised an exception [action=Fail action, msg='Fail action expected exception.']",
                             failed=True)
    if cmd.name == "std.sleep":
        return ActionOutcome(None, delay=float(args.get("seconds", 1)))
    if cmd.name == "std.test_dict":
        size = args.get("size", 0)
        if not isinstance(size, int) or isinstance(size, bool):
            return ActionOutcome(error=f"The action raised an exception [msg=''{type(size).__name__}' object "
                                       "cannot be interpreted as an integer']", failed=True)
        prefix, val = args.get("key_prefix", ""), args.get("val", "")
        return ActionOutcome({f"{prefix}{i}": val for i in range(size)})
    raise AssertionError(f"no such test action {cmd.name}")


def catalog(kind: str, definition: str) -> Catalog:
    if kind == "workbook":
        wb = parse_workbook(definition)
        return Catalog.of(wb.workflows, wb.actions, signatures=SIGNATURES)
    return Catalog.of(parse_workflows(definition), signatures=SIGNATURES)


def run(kind: str, definition: str, workflow: str, input: dict | None = None, params: dict | None = None,
        actions: Callable[[RunAction, Simulation], ActionOutcome] = std_action) -> tuple[Simulation, str]:
    sim = Simulation(catalog(kind, definition), actions)
    eid = sim.start(workflow, input or {}, params or {})
    sim.run(max_steps=200_000)
    return sim, eid


def summary(sim: Simulation, eid: str) -> dict[str, Any]:
    h = sim.header(eid)
    names: dict[str, list[str]] = {}
    for t in sim.tasks(eid):
        names.setdefault(t["name"], []).append(t["state"])
    return {"state": h.state, "state_info": h.state_info, "output": h.output,
            "tasks": {n: s[0] if len(s) == 1 else s for n, s in names.items()}}


def same_tasks(got: dict[str, Any], expected: dict[str, Any]) -> bool:
    def norm(v: Any) -> Counter:
        return Counter(v if isinstance(v, list) else [v])
    return set(got) == set(expected) and all(norm(got[k]) == norm(expected[k]) for k in got)
