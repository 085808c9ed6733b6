"""The chaos test: a mix of workflows run 200+ times under duplicate delivery and
crashes ends exactly as it does without faults, and nothing is left stuck.

Each case of the mix (workflows.py) is run once without faults: its outcome (state,
state_info, output, task states and publishes, action runs and results,
sub-workflows, and the state transitions, ids masked) is the reference. Then the
cases are started again, many at a time, in waves delivered by ``Chaos`` with
faults, each wave on a stack of its own: every message twice; duplicates with
crashes; crashes alone. Every run must end with the reference outcome (``wrong``
counts those that did not) within the wave's time (``stuck`` counts those still
unfinished), and leave no unsent commands behind. The figures are printed
(``pytest -s``) and quoted in the README and docs/faults.md.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from typing import Any, Callable

import pytest

from sirocco.local.faults import Faults, FaultSpec

from .harness import Chaos, Recorder, Stack, outcome, partitions, unsent
from .workflows import MIX, Case, cases

#: (name, faults, copies of the mix per wave)
WAVES = [("every message twice", FaultSpec(duplicate=1.0, seed=101), 9),
         ("duplicates and crashes", FaultSpec(duplicate=0.3, crash=0.15, seed=102), 8),
         ("crashes", FaultSpec(crash=0.3, seed=103), 8)]
WAVE_SECONDS = 120.0


@pytest.fixture()
def quiet_logs() -> Any:
    """Only warnings: 200 runs write thousands of INFO lines otherwise."""
    logger = logging.getLogger("sirocco.shell")
    level = logger.level
    logger.setLevel(logging.WARNING)
    yield
    logger.setLevel(level)


def test_every_run_ends_as_without_faults(new_stack: Callable[[], Stack], quiet_logs: Any) -> None:
    mix = cases()
    began = time.perf_counter()
    reference = _reference(new_stack(), mix)
    figures: dict[str, Any] = {"runs": 0, "wrong": 0, "stuck": 0, "faults": Counter(), "crashed": Counter()}
    problems: list[str] = []
    for name, spec, copies in WAVES:
        wave_began = time.perf_counter()
        stack = new_stack()
        stack.upload(MIX)
        recorder = Recorder()
        undo = recorder.wrap(stack.rt.executions)
        faults = Faults(spec).activate()
        try:
            delivery = Chaos(stack, faults, seed=spec.seed or 0)
            started = [(case, stack.start(case.workflow, case.input)) for case in mix * copies]
            stuck = set(delivery.settle([eid for _, eid in started], WAVE_SECONDS))
        finally:
            faults.deactivate()
            undo()
        print(f"\nchaos wave '{name}' ({spec}): {len(started)} runs, {len(stuck)} stuck, "
              f"{faults.injected['duplicate']} duplicates, {sum(delivery.crashes.values())} crashes, "
              f"{sum(delivery.messages.values())} messages, {time.perf_counter() - wave_began:.1f} s")
        figures["runs"] += len(started)
        figures["stuck"] += len(stuck)
        figures["faults"].update(faults.injected)
        figures["crashed"].update(delivery.crashes)
        found = partitions(stack.rt)
        for case, eid in started:
            if eid in stuck:
                problems.append(f"{name}: {case.key} {eid} stuck")
                continue
            got = outcome(found, eid, recorder)
            left = unsent(found, eid)
            if got != reference[case.key] or left:
                figures["wrong"] += 1
                problems.append(f"{name}: {case.key} {eid}: unsent {left}; {_difference(got, reference[case.key])}")
    figures["seconds"] = round(time.perf_counter() - began, 1)
    print(f"\nchaos: {figures['runs']} runs, faults injected {dict(figures['faults'])}, crashed invocations "
          f"{dict(figures['crashed'])}, wrong {figures['wrong']}, stuck {figures['stuck']}, "
          f"{figures['seconds']} s")
    assert not problems, "\n".join(problems[:10])
    assert figures["runs"] >= 200
    assert figures["faults"]["duplicate"] > 0 and figures["faults"]["crash"] > 0


def _reference(stack: Stack, mix: list[Case]) -> dict[str, dict[str, Any]]:
    stack.upload(MIX)
    recorder = Recorder()
    undo = recorder.wrap(stack.rt.executions)
    try:
        delivery = Chaos(stack)
        started = [(case, stack.start(case.workflow, case.input)) for case in mix]
        assert not delivery.settle([eid for _, eid in started], WAVE_SECONDS)
    finally:
        undo()
    found = partitions(stack.rt)
    return {case.key: outcome(found, eid, recorder) for case, eid in started}


def _difference(got: dict[str, Any], want: dict[str, Any]) -> str:
    keys = [k for k in want if got.get(k) != want[k]]
    return "; ".join(f"{k}: got {got.get(k)!r} want {want[k]!r}" for k in keys)[:1500]
