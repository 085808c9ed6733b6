"""One-time schedules of delayed calls longer than SQS can delay (15 minutes).

A long ``ScheduleCall`` becomes the schedule ``at(due)`` whose target is the
timer queue and whose body is the very message the timer received, so that
when it fires the timer handler sees a call that is due and sends
``CallFired``, exactly as for a call SQS delayed. Its name is derived from the
execution and call ids, so a repeated delivery finds the schedule it already
made and a ``CancelCall`` finds the one to delete.
"""

from __future__ import annotations

import hashlib

from .expressions import at_expression

#: a call further than this from due goes to EventBridge Scheduler (SQS's longest delay)
SQS_LIMIT = 900


def schedule_name(execution_id: str, call_id: str) -> str:
    """``call-<48 hex>``: unique per call (call ids are unique within an execution)."""
    return "call-" + hashlib.sha256(f"{execution_id}/{call_id}".encode()).hexdigest()[:48]


def at_for(due: float) -> str:
    """The ``at()`` of a call due at epoch ``due``: the nearest whole second (EventBridge
    takes seconds; the timer fires a call that arrives less than a second early)."""
    return at_expression(round(due))
