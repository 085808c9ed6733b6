"""A fan-in of 1,000 parallel tasks into one ``join: all``, with every message (every
completion among them) delivered twice: the join fires exactly once, its action runs
once, and the execution ends as it would without duplicates."""

from __future__ import annotations

import logging
from typing import Any

import yaml

from sirocco.local.faults import Faults, FaultSpec

from .harness import RUNS, Chaos, Recorder, Stack, partitions

WIDTH = 1000


def fan_in(width: int) -> str:
    branches = {f"b{i}": {"action": "std.echo", "input": {"output": i}, "publish": {f"v{i}": "<% task().result %>"},
                          "on-success": ["join"]} for i in range(width)}
    tasks: dict[str, Any] = {"fan": {"action": "std.noop", "on-success": list(branches)}, **branches,
                             "join": {"join": "all", "action": "test.count value=<% $.keys().where($.startsWith(\"v\")).len() %>",
                                      "publish": {"seen": "<% task().result %>"}}}
    return yaml.safe_dump({"version": "2.0", "fan_in": {"output": {"seen": "<% $.seen %>"}, "tasks": tasks}},
                          sort_keys=False)


def test_a_join_of_1000_branches_delivered_twice_fires_once(stack: Stack) -> None:
    logging.getLogger("sirocco.shell").setLevel(logging.WARNING)
    try:
        stack.upload(fan_in(WIDTH))
        recorder = Recorder()
        undo = recorder.wrap(stack.rt.executions)
        faults = Faults(FaultSpec(duplicate=1.0)).activate()
        try:
            delivery = Chaos(stack, faults)
            eid = stack.start("fan_in")
            assert not delivery.settle([eid], timeout=240)
        finally:
            faults.deactivate()
            undo()
    finally:
        logging.getLogger("sirocco.shell").setLevel(logging.INFO)
    assert faults.injected["duplicate"] >= 2 * WIDTH  # every RunAction and every ActionCompleted, twice
    found = partitions(stack.rt)[eid]
    assert found.header.state == "SUCCESS", found.header.state_info
    joins = [t for t in found.tasks if t.name == "join"]
    assert len(joins) == 1 and joins[0].state == "SUCCESS" and joins[0].runs == 1
    assert sorted(joins[0].arrived or []) == sorted(f"b{i}" for i in range(WIDTH))
    join_runs = [a for a in found.actions if a.task_id == joins[0].id]
    assert len(join_runs) == 1 and RUNS[join_runs[0].id] == 1  # its action ran once
    # every branch's value reached the join, and the join's transitions happened once
    assert found.header.output == {"seen": WIDTH}
    transitions = recorder.transitions(eid)
    join_events = {event: n for (event, name), n in transitions.items() if name == "join"}
    assert join_events == {"TASK_RESUMED": 1, "TASK_SUCCEEDED": 1}  # a join waits, then fires: RESUMED
    assert sum(n for (event, name), n in transitions.items() if event == "TASK_SUCCEEDED") == WIDTH + 2
