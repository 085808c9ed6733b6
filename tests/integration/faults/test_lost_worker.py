"""Lost workers: an executor takes an action and never answers. The task ends by its
timeout, or, without one, by the default action timeout the sweeper applies; then
retry and on-error apply as for any failure. Nothing waits for ever."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from sirocco.local.faults import Faults, FaultSpec

from .harness import Chaos, Stack, partitions

WORKFLOWS = """
version: '2.0'
lost_with_timeout:
  output: {v: <% $.v %>}
  tasks:
    work:
      action: test.count value=7
      timeout: 2
      retry: {count: 1, delay: 0}
      publish: {v: <% task().result %>}

lost_without_timeout:
  output: {r: <% $.r %>}
  tasks:
    work:
      action: test.count value=1
      on-error: [recover]
    recover:
      action: std.echo output="recovered"
      publish: {r: <% task().result %>}
"""


@pytest.fixture(scope="module")
def uploaded(stack: Stack) -> Stack:
    stack.upload(WORKFLOWS)
    return stack


def _lose_the_first_action(delivery: Chaos) -> dict[str, Any]:
    """Deliver until the first action is taken by a worker that is never heard of again."""
    delivery.faults = Faults(FaultSpec(lost=1.0))
    deadline = time.monotonic() + 20
    while not delivery.lost and time.monotonic() < deadline:
        delivery.pump("engine")
        delivery.pump("executor")
    delivery.faults = Faults(FaultSpec())
    assert len(delivery.lost) == 1
    return json.loads(delivery.lost[0]["body"])


def test_a_lost_worker_ends_its_task_by_the_task_timeout_then_retry_applies(uploaded: Stack) -> None:
    delivery = Chaos(uploaded)
    eid = uploaded.start("lost_with_timeout")
    lost = _lose_the_first_action(delivery)
    assert lost["type"] == "RunAction" and lost["fields"]["timeout"] == 2
    assert not delivery.settle([eid], timeout=30)
    found = partitions(uploaded.rt)[eid]
    assert found.header.state == "SUCCESS" and found.header.output == {"v": 7}
    [task] = found.tasks
    assert task.state == "SUCCESS" and task.runs == 2  # timed out once, retried once
    runs = sorted(found.actions, key=lambda a: a.run)
    # the lost run is not left RUNNING: the timeout ended it
    assert [(a.state, a.result) for a in runs] == [("ERROR", "Task timed out [timeout(s)=2]."), ("SUCCESS", 7)]


def test_without_a_task_timeout_the_sweeper_ends_a_lost_action_by_the_default_timeout(
        uploaded: Stack, later: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIROCCO_DEFAULT_ACTION_TIMEOUT", "60")
    monkeypatch.setenv("SIROCCO_SWEEP_QUIET", "30")
    delivery = Chaos(uploaded)
    eid = uploaded.start("lost_without_timeout")
    _lose_the_first_action(delivery)
    assert delivery.run(lambda: not delivery.pending(), timeout=20)  # nothing moves it: queues empty
    assert uploaded.header(eid).state == "RUNNING"
    later(30)  # quiet, but the action is within its default timeout: the sweep changes nothing
    delivery.sweep()
    assert uploaded.header(eid).state == "RUNNING"
    later(61)
    delivery.sweep()
    assert not delivery.settle([eid], timeout=30)
    found = partitions(uploaded.rt)[eid]
    assert found.header.state == "SUCCESS" and found.header.output == {"r": "recovered"}
    states = {t.name: (t.state, t.state_info or "") for t in found.tasks}
    assert states["recover"][0] == "SUCCESS"
    assert states["work"][0] == "ERROR" and "Action timed out" in states["work"][1]
    assert "timeout(s)=60" in states["work"][1] and "SIROCCO_DEFAULT_ACTION_TIMEOUT" in states["work"][1]

