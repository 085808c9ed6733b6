"""A create's short wait for the engine to store the execution (api/applied.py)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from sirocco.api import applied


class Clock:
    """time.monotonic and time.sleep of a clock that only moves when slept on."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class Executions:
    def __init__(self, stored_after_reads: int | None) -> None:
        self.reads = 0
        self.stored_after_reads = stored_after_reads

    def get_execution(self, execution_id: str) -> Any:
        self.reads += 1
        if self.stored_after_reads is not None and self.reads >= self.stored_after_reads:
            return object(), {}
        return None


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(applied, "time", fake)
    return fake


def runtime(executions: Executions, apply_wait: float = 2.0) -> Any:
    return SimpleNamespace(executions=executions, apply_wait=apply_wait)


def test_an_engine_that_stored_the_execution_is_seen_at_the_next_read(clock: Clock) -> None:
    executions = Executions(stored_after_reads=3)
    assert applied.execution_stored(runtime(executions), "e1")
    assert executions.reads == 3
    assert clock.now == pytest.approx(3 * applied.START_POLL)


def test_a_slow_engine_is_given_up_on_after_a_bounded_number_of_reads(clock: Clock) -> None:
    executions = Executions(stored_after_reads=None)
    assert not applied.execution_stored(runtime(executions), "e1")
    assert executions.reads <= 15
    assert clock.now <= applied.START_WAIT


def test_without_an_apply_wait_nothing_is_read(clock: Clock) -> None:
    executions = Executions(stored_after_reads=1)
    assert not applied.execution_stored(runtime(executions, apply_wait=0.0), "e1")
    assert executions.reads == 0
