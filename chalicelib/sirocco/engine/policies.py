"""Task policies: values (ints, bools or expressions evaluated when the task
runs) and the retry decision. The timers themselves are delayed calls
(``Session.schedule``), fired back as ``CallFired`` events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sirocco.language import TaskSpec

from .context import ev, inbound, outbound
from .records import TaskRecord

if TYPE_CHECKING:
    from .session import Session


def value(session: "Session", raw: Any, task: TaskRecord, ctx: dict[str, Any] | None = None) -> Any:
    if raw is None or isinstance(raw, (int, float, bool)):
        return raw
    return ev(session, raw, inbound(session, task) if ctx is None else ctx, task)


def seconds(session: "Session", raw: Any, task: TaskRecord) -> float:
    v = value(session, raw, task)
    try:
        return max(float(v or 0), 0.0)
    except (TypeError, ValueError):
        raise ValueError(f"a delay must be a number of seconds, got {v!r}") from None


def truthy(session: "Session", raw: Any, task: TaskRecord, ctx: dict[str, Any] | None = None) -> bool:
    return bool(value(session, raw, task, ctx))


def should_retry(session: "Session", spec: TaskSpec, task: TaskRecord, state: str) -> float | None:
    """After an attempt ended in ``state``: the delay before the next attempt,
    or None when the task is done (no retry, count exhausted, break-on true,
    or a success that continue-on does not repeat)."""
    retry = spec.retry
    if retry is None:
        return None
    ctx = outbound(session, task)
    count = int(value(session, retry.count, task, ctx) or 0)
    if task.retries >= count:
        return None
    if state == "ERROR":
        if retry.break_on is not None and truthy(session, retry.break_on, task, ctx):
            return None
    else:
        if retry.continue_on is None or not truthy(session, retry.continue_on, task, ctx):
            return None
    delay = value(session, retry.delay, task, ctx)
    return max(float(delay or 0), 0.0)
