"""Waiting, briefly, for the engine to apply what a request asked.

Mistral's API changes an execution before it answers; Sirocco's sends the
engine an event. A client that pauses, stops, reruns or skips and then reads
(the `mistral` command, scripts polling "until not RUNNING") must not read the
state from before its own request, so these requests poll the header (one
small GetItem every ``POLL`` seconds) until the state they change has changed,
for at most ``Runtime.apply_wait`` seconds; then they answer what the engine
made, or, when it is slower, the state the change will make.
"""

from __future__ import annotations

import time
from typing import Any

from sirocco.engine.records import ExecutionRecord, TaskRecord

POLL = 0.02
#: a create waits at most this long (and ``apply_wait``) for the engine to store the execution,
#: polling every START_POLL seconds for FAST_POLLING seconds, then ever less often
START_WAIT = 0.25
START_POLL = 0.005
FAST_POLLING = 0.05


def _until(rt: Any, changed: Any) -> Any:
    deadline = time.monotonic() + max(0.0, float(getattr(rt, "apply_wait", 0.0) or 0.0))
    while time.monotonic() < deadline:
        time.sleep(POLL)
        found = changed()
        if found is not None:
            return found
    return None


def execution_stored(rt: Any, execution_id: str) -> bool:
    """Whether the engine stored the execution a create just started, within a short
    wait (Mistral's create answers once its engine made it). When it has, the create
    need not store a header of its own, which would race the engine's first save (a
    lost race costs the engine its start batch again). A quick engine is seen within
    milliseconds; a slow one costs at most 15 reads of the header, about what that
    header's two writes cost."""
    limit = min(START_WAIT, max(0.0, float(getattr(rt, "apply_wait", 0.0) or 0.0)))
    began, pause = time.monotonic(), START_POLL
    while time.monotonic() - began + pause <= limit:
        time.sleep(pause)
        if rt.executions.get_execution(execution_id) is not None:
            return True
        if time.monotonic() - began >= FAST_POLLING:
            pause *= 2
    return False


def execution_left(rt: Any, execution_id: str, state: str) -> tuple[ExecutionRecord, dict[str, Any]] | None:
    """The execution's header and meta once its state is no longer ``state``; None after the wait."""
    def changed() -> Any:
        found = rt.executions.get_execution(execution_id)
        return found if found is not None and found[0].state != state else None

    return _until(rt, changed)


def task_left(rt: Any, execution_id: str, task_id: str, state: str) -> TaskRecord | None:
    """The task once its state is no longer ``state``; None after the wait."""
    def changed() -> Any:
        record = rt.executions.fetch_record(execution_id, f"TASK#{task_id}")
        return record if record is not None and record.state != state else None

    return _until(rt, changed)
