"""A sub-workflow is a task's action run whose id is the child execution's
id: the child's end comes back as ``SubworkflowCompleted`` and is applied as
that run's completion (output as the result; on failure the child's error
output ``{result: ..., **output-on-error}`` and its state_info)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import states, tasks
from .events import SubworkflowCompleted

if TYPE_CHECKING:
    from .session import Session


def on_child_finished(session: "Session", event: SubworkflowCompleted) -> None:
    failed = event.state != states.SUCCESS
    tasks.on_action_completed(session, event.execution_id, event.output, failed,
                              event.state_info if failed else None)
