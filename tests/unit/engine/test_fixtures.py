"""Declarative engine tests: each fixtures/*.yaml holds a workflow, its input
and params, scripted action outcomes per task (one per action run: attempt,
item or re-run; the last repeats), optional lifecycle events at virtual
times, and what a user would see: task sequence, states, published values,
results, output, and how many actions ran at once.

    script:  {t1: [{error: boom}, {result: 1, delay: 2}, {pending: true}, {std: true}]}
    events:  [{at: 1, do: pause}, {at: 2, do: resume, env: {...}},
              {at: 3, do: rerun, task: t1, reset: false}, {at: 4, do: cancel},
              {at: 5, do: complete, task: t1, result: 42}]
    expect:  {state, sequence, tasks, published, results, output, max_running, targets, runs}
"""

from __future__ import annotations

import glob
import os
from typing import Any

import pytest
import yaml

from sirocco.engine import Cancel, Pause, RerunTask, Resume, RunAction, StartRefused
from sirocco.engine.simulation import ActionOutcome, Simulation

from .harness import catalog, same_tasks, std_action

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = sorted(glob.glob(os.path.join(HERE, "fixtures", "*.yaml")))


class Scripted:
    """Outcomes by task name, counting runs; tracks concurrency per task."""

    def __init__(self, script: dict[str, list[dict[str, Any]]]) -> None:
        self.script = script
        self.calls: dict[str, int] = {}
        self.running: dict[str, list[tuple[float, float]]] = {}
        self.targets: dict[str, Any] = {}
        self.pending: dict[str, list[str]] = {}

    def __call__(self, cmd: RunAction, sim: Simulation) -> ActionOutcome:
        name = sim.executions[cmd.execution_id].tasks[cmd.task_id].name
        n = self.calls.get(name, 0)
        self.calls[name] = n + 1
        self.targets[name] = cmd.target
        steps = self.script.get(name)
        if steps and not steps[min(n, len(steps) - 1)].get("std"):
            step = steps[min(n, len(steps) - 1)]
            outcome = ActionOutcome(result=step.get("result"), error=step.get("error"),
                                    failed="error" in step, delay=float(step.get("delay", 0)),
                                    pending=bool(step.get("pending")))
        else:
            outcome = std_action(cmd, sim)
        if outcome.pending:
            self.pending.setdefault(name, []).append(cmd.action_id)
        self.running.setdefault(name, []).append((sim.clock, sim.clock + outcome.delay))
        return outcome

    def max_running(self, name: str) -> int:
        spans = self.running.get(name, [])
        points = sorted([(s, 1) for s, e in spans] + [(e, -1) for s, e in spans], key=lambda p: (p[0], p[1]))
        best = cur = 0
        for _, d in points:
            cur += d
            best = max(best, cur)
        return best


def _lifecycle(sim: Simulation, eid: str, scripted: Scripted, step: dict[str, Any]) -> None:
    at = float(step.get("at", 0))
    kind = step["do"]

    def task_id(name: str) -> str:
        return sim.executions[eid].header.last_task[name]

    if kind == "pause":
        sim.post(eid, lambda i, t: Pause(i, t), at)
    elif kind == "resume":
        sim.post(eid, lambda i, t: Resume(i, t, env=step.get("env")), at)
    elif kind == "cancel":
        sim.post(eid, lambda i, t: Cancel(i, t, msg=step.get("msg")), at)
    elif kind == "stop":
        from sirocco.engine import Stop

        sim.post(eid, lambda i, t: Stop(i, t, state=step["state"], msg=step.get("msg")), at)
    elif kind == "rerun":
        sim.post(eid, lambda i, t: RerunTask(i, t, task_id=task_id(step["task"]), reset=step.get("reset", True),
                                             env=step.get("env"), skip=step.get("skip", False)), at)
    elif kind == "complete":
        from sirocco.engine import ActionCompleted

        sim.post(eid, lambda i, t: ActionCompleted(i, t, action_id=scripted.pending[step["task"]].pop(0),
                                                   result=step.get("result"), error=step.get("error"),
                                                   failed="error" in step,
                                                   cancelled=step.get("cancelled", False)), at)


@pytest.mark.parametrize("path", FIXTURES, ids=[os.path.basename(p)[:-5] for p in FIXTURES])
def test_fixture(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        fx = yaml.safe_load(f)
    specs = catalog(fx.get("kind", "workflow"), fx["definition"])
    scripted = Scripted(fx.get("script") or {})
    sim = Simulation(specs, scripted)
    expect = fx["expect"]
    if expect.get("refused"):
        with pytest.raises(StartRefused, match=expect["refused"]):
            sim.start(fx["workflow"], fx.get("input"), fx.get("params"))
        return
    eid = sim.start(fx["workflow"], fx.get("input"), fx.get("params"))
    for step in fx.get("events") or []:
        _lifecycle(sim, eid, scripted, step)
    sim.run(max_steps=100_000)
    h = sim.header(eid)
    tasks = sim.tasks(eid)
    assert h.state == expect["state"], (h.state, h.state_info, tasks)
    if "state_info" in expect:
        assert expect["state_info"] in (h.state_info or "")
    if "sequence" in expect:
        assert [t["name"] for t in tasks] == expect["sequence"]
    if "tasks" in expect:
        got: dict[str, Any] = {}
        for t in tasks:
            got.setdefault(t["name"], []).append(t["state"])
        assert same_tasks({k: v if len(v) > 1 else v[0] for k, v in got.items()}, expect["tasks"]), got
    last = {t["name"]: t for t in tasks}
    for name, published in (expect.get("published") or {}).items():
        assert last[name]["published"] == published, name
    for name, result in (expect.get("results") or {}).items():
        assert last[name]["result"] == result, name
    if "output" in expect:
        assert h.output == expect["output"]
    for name, n in (expect.get("max_running") or {}).items():
        assert scripted.max_running(name) == n, name
    for name, n in (expect.get("runs") or {}).items():
        assert scripted.calls.get(name, 0) == n, name
    for name, target in (expect.get("targets") or {}).items():
        assert scripted.targets.get(name) == target, name
    for name, info in (expect.get("task_state_info") or {}).items():
        assert info in (last[name]["state_info"] or ""), (name, last[name]["state_info"])
