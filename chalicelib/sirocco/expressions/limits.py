"""Resource limits for one expression, and the work budget that enforces them.

yaql's own limits (``yaql.limitIterators``, ``yaql.memoryQuota``) bound each collection
and each object separately, and Jinja's sandbox bounds only ``range()``; nested
collections, repeated doubling or recursive macros multiply past both. So every
evaluation of one expression also gets a ``Budget`` of work units, about a byte each,
charged by the functions, operators and filters that build new values (a character
of a new string, 8 per item of a new collection, a byte of a big integer) and by the
conversion of the result (8 per value). Guards refuse the obvious one-step bombs (``'a' * 10**10``,
huge exponents) *before* allocating.

The budget of the running evaluation lives in a ContextVar, set by ``budget_scope``
for the duration of one expression; nothing outlives the evaluation.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Mapping, Set
from dataclasses import dataclass

from .errors import LimitExceeded

# Large enough that with-items over input lists of a few hundred thousand items works;
# the work budget, not this, is what stops runaway growth.
DEFAULT_MAX_ITERATIONS = 200_000
DEFAULT_MEMORY_QUOTA = 10 * 1024 * 1024
DEFAULT_MAX_INT_BITS = 16_384
DEFAULT_WORK_BUDGET = 20_000_000
DEFAULT_CACHE_SIZE = 1024


@dataclass(frozen=True)
class Limits:
    """Limits applied to each expression; frozen so engines can be cached per value."""

    max_iterations: int = DEFAULT_MAX_ITERATIONS
    """Items one collection or iterator may hold or yield (yaql.limitIterators, Jinja range)."""
    memory_quota: int = DEFAULT_MEMORY_QUOTA
    """Bytes one value may take (yaql.memoryQuota); also the longest string an operator may build."""
    max_int_bits: int = DEFAULT_MAX_INT_BITS
    """Largest integer an operator may build (guards ``**``, ``pow``, shifts, products)."""
    work_budget: int = DEFAULT_WORK_BUDGET
    """Work units (about bytes) one expression may spend building values (see module docstring)."""
    cache_size: int = DEFAULT_CACHE_SIZE
    """Parsed expressions kept per language (LRU)."""


DEFAULT_LIMITS = Limits()


class Budget:
    """Work units left for the running expression."""

    __slots__ = ("limits", "left")

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.left = limits.work_budget

    def charge(self, units: int) -> None:
        self.left -= units
        if self.left < 0:
            raise LimitExceeded(
                f"expression exceeded its work budget of {self.limits.work_budget} units "
                "(about that many bytes of values built)"
            )


_current: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("sirocco_expression_budget", default=None)


@contextlib.contextmanager
def budget_scope(limits: Limits) -> Iterator[Budget]:
    """Give the code run inside the block a fresh budget for one expression."""
    budget = Budget(limits)
    token = _current.set(budget)
    try:
        yield budget
    finally:
        _current.reset(token)


def current_limits() -> Limits:
    budget = _current.get()
    return budget.limits if budget is not None else DEFAULT_LIMITS


def charge(units: int) -> None:
    """Charge the running expression; outside any evaluation this does nothing."""
    budget = _current.get()
    if budget is not None:
        budget.charge(units)


ITEM_UNITS = 8  # one slot of a list or dict, one value of a result


def units_of(value: object) -> int:
    """Shallow cost of a value just built: its characters, item slots or integer bytes."""
    if isinstance(value, (str, bytes)):
        return len(value) + 1
    if isinstance(value, bool) or value is None:
        return 1
    if isinstance(value, int):
        return value.bit_length() // 8 + 1
    if isinstance(value, (list, tuple, Mapping, Set)):
        return ITEM_UNITS * (len(value) + 1)
    return 1
