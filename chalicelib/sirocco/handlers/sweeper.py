"""The sweeper: no execution stays RUNNING (or IDLE) with nothing that will move it.

An EventBridge Scheduler rate schedule (infra/resources.yaml ``SweeperSchedule``;
`sirocco dev`'s scheduler loop fires it too) sends a ``Sweep`` message to the timer
queue, whose handler calls ``sweep``. It reads the executions that are RUNNING or
IDLE (the ``by_state`` index, then when each was last saved: a long with-items moves
on without changing its state) and, for each one that no save changed for ``quiet`` seconds, sends a ``SweepExecution`` to the engine queue in
that execution's message group. The engine handler, the execution's only writer,
then looks at the whole execution (``repairs.py``) and repairs it: it resends an
unsent outbox (as every load does), fires delayed calls long overdue, fails action
runs past their timeout (the task's, or ``default_action_timeout`` for synchronous
actions), reports sub-workflows that ended (or never started) to their parent,
starts an execution whose start was lost, and ends as ERROR, with a state_info that
says so, an execution that nothing can move. Because the message follows the
execution's other messages in its FIFO group, everything sent to the execution
before the sweep has been applied (or dead-lettered) when it is looked at.

Settings (environment): ``SIROCCO_SWEEP_QUIET`` (600 s), ``SIROCCO_DEFAULT_ACTION_TIMEOUT``
(3600 s; 0: none), ``SIROCCO_SWEEP_LIMIT`` (executions looked at per sweep, 5,000).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Mapping

from sirocco.engine import states
from sirocco.engine.session import derive_id
from sirocco.messaging import envelopes
from sirocco.messaging.queues import OutMessage

from . import logs
from .runtime import Runtime

DEFAULT_QUIET = 600.0
DEFAULT_ACTION_TIMEOUT = 3600.0
DEFAULT_LIMIT = 5000
#: states an execution can be stuck in (PAUSED waits for a user, by design)
SWEPT_STATES = (states.RUNNING, states.IDLE)


@dataclass(frozen=True, slots=True)
class Sweep:
    """Timer queue: the sweeper's schedule fired (its ``Input`` is this message)."""


@dataclass(frozen=True, slots=True)
class SweepExecution:
    """Engine queue, the execution's group: look at this execution and repair it."""

    id: str
    time: float


#: shell message types outside the engine's events and commands, by type name
MESSAGE_TYPES: dict[str, type] = {"Sweep": Sweep, "SweepExecution": SweepExecution}


@dataclass(frozen=True, slots=True)
class SweepSettings:
    #: seconds without a save after which an execution is looked at (and a call counts as lost)
    quiet: float = DEFAULT_QUIET
    #: seconds a synchronous action may run without a task timeout (0: for ever)
    default_action_timeout: float = DEFAULT_ACTION_TIMEOUT
    #: executions looked at per sweep
    limit: int = DEFAULT_LIMIT

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "SweepSettings":
        env = os.environ if environ is None else environ
        return cls(quiet=float(env.get("SIROCCO_SWEEP_QUIET") or DEFAULT_QUIET),
                   default_action_timeout=float(env.get("SIROCCO_DEFAULT_ACTION_TIMEOUT") or DEFAULT_ACTION_TIMEOUT),
                   limit=int(env.get("SIROCCO_SWEEP_LIMIT") or DEFAULT_LIMIT))


def sweep_body() -> str:
    """The body the sweeper's schedule sends to the timer queue."""
    return envelopes.encode(Sweep())


@dataclass
class SweepReport:
    looked_at: int = 0
    quiet: int = 0
    nudged: list[str] | None = None


def sweep(rt: Runtime, settings: SweepSettings | None = None, now: float | None = None,
          budget: float | None = None) -> SweepReport:
    """Send a ``SweepExecution`` to every RUNNING or IDLE execution quiet for
    ``settings.quiet`` seconds (at most ``settings.limit`` looked at; ``budget``:
    seconds of wall time to stop within)."""
    settings = settings or SweepSettings.from_env()
    now = rt.clock() if now is None else now
    stop_at = None if budget is None else time.monotonic() + budget
    ids: list[str] = []
    for state in SWEPT_STATES:
        for execution_id, _created in rt.executions.index_entries("state", state, None, newest_first=False):
            ids.append(execution_id)
            if len(ids) >= settings.limit:
                break
        if len(ids) >= settings.limit:
            break
    report = SweepReport(looked_at=len(ids), nudged=[])
    messages: list[OutMessage] = []
    for start in range(0, len(ids), 100):
        if stop_at is not None and time.monotonic() > stop_at:
            break
        for execution_id, (state, saved) in rt.executions.activity(ids[start:start + 100]).items():
            if state not in SWEPT_STATES or now - saved < settings.quiet:
                continue
            report.quiet += 1
            event = SweepExecution(derive_id(f"Sweep:{execution_id}", int(now // max(settings.quiet, 1.0))), now)
            messages.append(OutMessage(envelopes.encode(event, to=execution_id), group_id=execution_id,
                                       dedup_id=event.id))
            report.nudged.append(execution_id)
    if messages:
        rt.queues.send(rt.queue_settings.engine_queue, messages)
    logs.info("sweep", looked_at=report.looked_at, quiet=report.quiet, nudged=len(messages),
              quiet_seconds=settings.quiet)
    return report
