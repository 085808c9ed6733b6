"""Actions the engine runs inside its own batch: std.noop, std.fail, std.echo without a delay.

Sending such an action to an executor costs a queue round trip, an executor invocation and a
second engine batch, for a result the engine could compute in microseconds. So, after
``decide``, the engine runs the pure ones at once (the same ``run_action`` the executor
calls, so results and errors are the executor's), feeds their ``ActionCompleted`` back to
``decide`` and repeats, until no such action is left or ``limit`` actions ran; then it
saves once. A sequence of std.noop tasks finishes in one batch.

Delivery semantics are unchanged: nothing leaves the engine until the save commits, the
events carry the ids the executor would give them, and a redelivered batch starts again
from the saved state. The action records are the ones an executor run leaves (RUNNING,
then SUCCESS or ERROR), so the API shows the same executions. What is left over after
``limit`` goes to the executor queue as usual, and so does a run whose task names a ``target``
(the user asked for that executor). ``SIROCCO_INLINE_ACTIONS=0`` turns it off.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from sirocco.actions import ActionContext, ActionRegistry, run_action
from sirocco.engine import ActionCompleted, CancelCall, Decision, ExecutionState, RunAction, ScheduleCall
from sirocco.engine.events import Event

from .executor import completion

Decide = Callable[[ExecutionState, Sequence[Event]], Decision]


def settle(decide: Decide, first: Decision, registry: ActionRegistry, clock: Callable[[], float],
           limit: int) -> tuple[Decision, int]:
    """``first`` with its inline actions run and decided on, round after round; returns the
    combined decision (every record changed by any round, the commands left) and the
    number of actions run."""
    decision, ran = first, 0
    changed: dict[str, Any] = {r.key: r for r in first.changed}
    commands = list(first.commands)
    while ran < limit:
        inline = [c for c in commands if isinstance(c, RunAction) and not c.target
                  and registry.runs_inline(c.name, c.input)]
        inline = inline[:limit - ran]
        if not inline:
            break
        events = [_complete(c, registry, clock()) for c in inline]
        ran += len(inline)
        taken = {id(c) for c in inline}
        commands = [c for c in commands if id(c) not in taken]
        decision = decide(decision.state, events)
        changed.update((r.key, r) for r in decision.changed)
        commands += decision.commands
    if decision is first:
        return first, 0
    return Decision(decision.state, list(changed.values()), _without_spent_calls(commands)), ran


def _without_spent_calls(commands: list[Any]) -> list[Any]:
    """``commands`` less each ScheduleCall cancelled by a later CancelCall of the same
    batch (a task ``timeout`` whose action ran inline): sent, the pair would leave a
    timer message (or a one-time schedule, when the cancel is read first) that fires
    for nothing, minutes or days later."""
    scheduled: dict[str, int] = {}
    spent: set[int] = set()
    for n, command in enumerate(commands):
        if isinstance(command, ScheduleCall):
            scheduled[command.call_id] = n
        elif isinstance(command, CancelCall) and command.call_id in scheduled:
            spent |= {scheduled.pop(command.call_id), n}
    return [c for n, c in enumerate(commands) if n not in spent] if spent else commands


def _complete(cmd: RunAction, registry: ActionRegistry, now: float) -> ActionCompleted:
    context = ActionContext(workflow_execution_id=cmd.execution_id, task_execution_id=cmd.task_id,
                            action_execution_id=cmd.action_id, with_items_index=cmd.index)
    result = run_action(cmd.name, cmd.input, context, registry=registry)
    assert result is not None, f"{cmd.name} ran inline but is asynchronous"
    return completion(cmd, result, now)
