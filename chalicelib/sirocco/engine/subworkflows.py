"""A sub-workflow is a task's action run whose id is the child execution's
id: the child's end comes back as ``SubworkflowCompleted`` and is applied as
that run's completion (output as the result; on failure the child's error
output ``{result: ..., **output-on-error}`` and its state_info). A CANCELLED
child makes its task CANCELLED (no transition follows it) and, once nothing
runs any more, the execution CANCELLED ("Cancelled tasks: ..."), as Mistral.

The header lists the children not finished yet (``children``), so pause,
resume and cancel reach them (``SignalSubworkflow``) without a task scan;
a child that pauses or resumes on its own tells its parent
(``SubworkflowStateChanged``, see lifecycle.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import states, tasks
from .events import SubworkflowCompleted

if TYPE_CHECKING:
    from .session import Session


def on_child_finished(session: "Session", event: SubworkflowCompleted) -> None:
    h = session.header
    record = session.state.actions.get(event.execution_id)
    if record is None or record.state not in (states.RUNNING, states.PAUSED):
        return  # unknown or already applied
    if h.children.pop(event.execution_id, None) is not None:
        session.touch(h)
    task = session.state.tasks.get(record.task_id)
    if task is not None and task.state == states.PAUSED and record.run == task.runs:
        # the child ended before (or instead of) pausing: its task takes the result
        session.set_task_state(task, states.RUNNING)
    failed = event.state != states.SUCCESS
    tasks.on_action_completed(session, event.execution_id, event.output, failed,
                              event.state_info if failed else None, cancelled=event.state == states.CANCELLED)
    if task is not None and task.state == states.RUNNING:
        from .lifecycle import sync_task

        sync_task(session, task)  # another of its sub-workflows may still be paused
