"""Stacks of the app's handlers for the fault tests: their own tables and queues
(with their dead-letter queues) on the session's emulator, reached in-process
(inprocess.py), every botocore client made for them open to injected AWS faults
(none unless a test activates a ``Faults``)."""

from __future__ import annotations

import time
from typing import Callable, Iterator

import pytest

from sirocco.local import faults

from .harness import Stack, make_stack
from .inprocess import in_process


@pytest.fixture(scope="module")
def new_stack(aws_endpoint: str) -> Iterator[Callable[..., Stack]]:
    """Makes a fresh stack (small tables keep the emulator's queries fast)."""
    faults.install()
    try:
        with in_process(aws_endpoint):
            yield make_stack
    finally:
        faults.uninstall()


@pytest.fixture(scope="module")
def stack(new_stack: Callable[..., Stack]) -> Stack:
    return new_stack()


@pytest.fixture()
def later(stack: Stack) -> Iterator[Callable[[float], None]]:
    """``later(seconds)``: the handlers' clock (which the sweeper reads) runs that far
    ahead of wall time, until the test ends."""
    clock = stack.rt.clock

    def move(seconds: float) -> None:
        stack.rt.clock = lambda: time.time() + seconds

    yield move
    stack.rt.clock = clock
