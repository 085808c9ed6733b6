"""Actions that are not ``safe-rerun`` run at most once, whatever SQS delivers: every
message twice (RunAction copies included) and crashing engine and timer handlers
(whose redeliveries send their outbox, RunActions included, again) leave each action
run once; a worker that dies after taking a run does not have it run again, the
run ends in ERROR saying why, and retry applies."""

from __future__ import annotations

import logging
from typing import Any

from sirocco.local.faults import Faults, FaultSpec, InjectedCrash
from sirocco.persistence import claims

from .harness import RUNS, Chaos, Recorder, Stack, outcome, partitions

WORKFLOW = """
version: '2.0'
once:
  input: [xs]
  output: {all: <% $.all %>, last: <% $.last %>}
  tasks:
    each:
      with-items: x in <% $.xs %>
      concurrency: 2
      action: test.count value=<% $.x %>
      publish: {all: <% task().result %>}
      on-success: [left, right]
    left:
      action: test.count value=1
      on-success: [last]
    right:
      action: test.count value=2
      on-success: [last]
    last:
      join: all
      action: test.count value="done"
      publish: {last: <% task().result %>}

once_retried:
  output: {v: <% $.v %>}
  tasks:
    work:
      action: test.count value=9
      retry: {count: 1, delay: 0}
      publish: {v: <% task().result %>}
"""


def test_actions_not_safe_to_rerun_run_once_under_duplicates_and_crashes(stack: Stack) -> None:
    logging.getLogger("sirocco.shell").setLevel(logging.WARNING)
    try:
        stack.upload(WORKFLOW)
        recorder = Recorder()
        undo = recorder.wrap(stack.rt.executions)
        plain = stack.start("once", {"xs": [1, 2, 3, 4]})
        assert not Chaos(stack).settle([plain], timeout=30)
        faults = Faults(FaultSpec(duplicate=1.0, crash=0.3, seed=21)).activate()
        try:
            delivery = Chaos(stack, faults, seed=21, crash_roles=("engine", "timer"))
            ids = [stack.start("once", {"xs": [1, 2, 3, 4]}) for _ in range(8)]
            assert not delivery.settle(ids, timeout=90)
        finally:
            faults.deactivate()
            undo()
    finally:
        logging.getLogger("sirocco.shell").setLevel(logging.INFO)
    assert faults.injected["duplicate"] and sum(delivery.crashes.values())
    found = partitions(stack.rt)
    want = outcome(found, plain, recorder)
    assert want["output"] == {"all": [1, 2, 3, 4], "last": "done"}
    for eid in ids:
        assert outcome(found, eid, recorder) == want
        runs = [a.id for a in found[eid].actions]
        assert len(runs) == 7 and {a: RUNS[a] for a in runs} == {a: 1 for a in runs}  # each ran once


def test_a_worker_that_dies_after_taking_a_run_leaves_it_interrupted_then_retry_applies(
        stack: Stack, monkeypatch: Any) -> None:
    stack.upload(WORKFLOW.replace("once:", "once_b:", 1).replace("once_retried:", "once_retried_b:", 1))
    claim = claims.claim
    died: list[str] = []

    def claim_then_die(*args: Any, **kwargs: Any) -> Any:
        found = claim(*args, **kwargs)
        if not died:
            died.append(args[2])
            raise InjectedCrash("the executor stops right after taking the run")
        return found

    monkeypatch.setattr(claims, "claim", claim_then_die)
    delivery = Chaos(stack)
    eid = stack.start("once_retried_b")
    assert not delivery.settle([eid], timeout=30)
    found = partitions(stack.rt)[eid]
    assert found.header.state == "SUCCESS" and found.header.output == {"v": 9}
    first, second = sorted(found.actions, key=lambda a: a.run)
    assert first.id == died[0] and RUNS[first.id] == 0  # taken, never run, and not run again
    assert first.state == "ERROR" and "Action was interrupted and is not safe to rerun" in str(first.result)
    assert second.state == "SUCCESS" and RUNS[second.id] == 1
