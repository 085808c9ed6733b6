"""Where each engine command goes: one table, one entry per command type.

``route(commands, ...)`` turns the commands of one save (objects, or their
JSON form from the outbox) into messages per queue. Engine-bound events made
here get ids derived from (execution id, save version, position of the
command), so resending an outbox after a crash makes the very same events and
the FIFO queue (deduplication id = event id) or the engine (idempotent by
state) absorbs the repeat.

| command | goes to |
|---|---|
| RunAction | executor queue (``sirocco-executor`` or ``-<target>``) |
| StartSubworkflow | engine queue, group = child id: ``StartExecution`` |
| SignalSubworkflow | engine queue, group = child id: ``Pause`` / ``Resume`` / ``Cancel`` |
| ExecutionStateChanged (with a parent) | engine queue, parent's group: ``SubworkflowStateChanged`` |
| ExecutionFinished (with a parent) | engine queue, parent's group: ``SubworkflowCompleted`` |
| ScheduleCall | timer queue, delayed (the timer handler sends ``CallFired``); due beyond SQS's 15 minutes: at once, the timer makes it an EventBridge Scheduler schedule |
| CancelCall | timer queue, which deletes the call's schedule; nothing without a schedule group (a call that fires late is ignored by the engine) |
| Notify | notifier queue: one message per publisher, FIFO group ``<execution>:<publisher key>`` |
| anything else | ``ROUTES`` has no entry: reported in ``Routed.unrouted`` |

A top-level ``StartExecution`` (from the API, a trigger) gets the global
publishers of ``SIROCCO_NOTIFY`` added to its params' ``notify`` in
``engine_message``, as Mistral's engine adds ``[notifier] notify`` at start.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from sirocco.engine import events as ev
from sirocco.engine.session import derive_id
from sirocco.notifier.config import global_publishers, publisher_key, with_global
from sirocco.persistence import records_codec as codec
from sirocco.scheduler.schedules import enabled as schedules_enabled

from . import envelopes
from .queues import OutMessage
from .settings import QueueSettings


@dataclass(slots=True)
class Routed:
    """Messages per queue name, and commands no route knows (type name, fields)."""

    messages: dict[str, list[OutMessage]] = field(default_factory=dict)
    unrouted: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    #: queue name -> executor target, for executor queues of a task ``target``
    targets: dict[str, str] = field(default_factory=dict)

    def add(self, queue: str, message: OutMessage) -> None:
        self.messages.setdefault(queue, []).append(message)

    def count(self) -> int:
        return sum(len(m) for m in self.messages.values())


@dataclass(slots=True)
class RouteContext:
    """What routing knows besides the command: the source execution's facts."""

    execution_id: str
    version: int
    settings: QueueSettings
    now: float
    meta: dict[str, Any]  # the source execution's meta (project_id, namespace, workflow_id ...)
    workflow_name: str = ""
    n: int = 0  # position of the command being routed

    def event_id(self) -> str:
        return derive_id(f"{self.execution_id}@{self.version}", self.n)

    def to_engine(self, out: Routed, event: ev.Event, group: str, meta: dict[str, Any] | None = None) -> None:
        out.add(self.settings.engine_queue, engine_message(event, group, meta))


def engine_message(event: ev.Event, execution_id: str, meta: dict[str, Any] | None = None) -> OutMessage:
    """A message for the engine queue: group = execution, deduplication id = event id.
    A top-level start gets the global publishers (``SIROCCO_NOTIFY``); sub-workflows
    inherit their parent's ``notify`` in the engine."""
    if isinstance(event, ev.StartExecution) and event.parent_execution_id is None:
        publishers = global_publishers()
        if publishers:
            event = dataclasses.replace(event, params=with_global(event.params, publishers))
    return OutMessage(envelopes.encode(event, meta, to=execution_id), group_id=execution_id, dedup_id=event.id)


def action_completed_id(action_id: str) -> str:
    """The id of the ``ActionCompleted`` for action run ``action_id``: the same
    for every delivery and every run of the same command, so repeats dedupe."""
    return derive_id(f"ActionCompleted:{action_id}", 0)


def call_fired_id(call_id: str) -> str:
    return derive_id(f"CallFired:{call_id}", 0)


# ---- one function per command type


def _run_action(cmd: Any, c: RouteContext, out: Routed) -> None:
    queue = c.settings.executor_queue_for(cmd.target)
    if cmd.target:
        out.targets[queue] = cmd.target
    meta = {"workflow_name": c.workflow_name} if c.workflow_name else None
    out.add(queue, OutMessage(envelopes.encode(cmd, meta)))


#: what Mistral 23 gives a sub-workflow execution as its description
SUBWORKFLOW_DESCRIPTION = "sub-workflow execution"


def _start_subworkflow(cmd: Any, c: RouteContext, out: Routed) -> None:
    event = ev.StartExecution(c.event_id(), c.now, workflow=cmd.workflow, input=dict(cmd.input),
                              params=dict(cmd.params), parent_execution_id=cmd.execution_id,
                              parent_task_id=cmd.task_id, parent_action_id=cmd.child_id,
                              root_execution_id=cmd.root_execution_id or cmd.execution_id)
    meta = {"project_id": c.meta.get("project_id"), "namespace": c.meta.get("namespace", ""),
            "description": SUBWORKFLOW_DESCRIPTION}
    c.to_engine(out, event, cmd.child_id, {k: v for k, v in meta.items() if v is not None})


_SIGNALS: dict[str, Callable[[str, float, Any], ev.Event]] = {
    "pause": lambda i, t, c: ev.Pause(i, t, msg=c.msg, signal=c.seq),
    "resume": lambda i, t, c: ev.Resume(i, t, signal=c.seq),
    "cancel": lambda i, t, c: ev.Cancel(i, t, msg=c.msg, signal=c.seq),
}


def _signal_subworkflow(cmd: Any, c: RouteContext, out: Routed) -> None:
    make = _SIGNALS.get(cmd.signal)
    if make is None:
        out.unrouted.append((type(cmd).__name__, envelopes.fields_of(cmd)))
        return
    c.to_engine(out, make(c.event_id(), c.now, cmd), cmd.child_id)


def _state_changed(cmd: Any, c: RouteContext, out: Routed) -> None:
    if cmd.parent_execution_id:
        c.to_engine(out, ev.SubworkflowStateChanged(c.event_id(), c.now, execution_id=cmd.execution_id,
                                                    state=cmd.state, own=cmd.own, seq=cmd.seq),
                    cmd.parent_execution_id)


def _finished(cmd: Any, c: RouteContext, out: Routed) -> None:
    if cmd.parent_execution_id:
        c.to_engine(out, ev.SubworkflowCompleted(c.event_id(), c.now, execution_id=cmd.execution_id,
                                                 state=cmd.state, output=cmd.output, state_info=cmd.state_info),
                    cmd.parent_execution_id)


def call_delay(due: float, now: float, max_delay: int) -> int:
    """Whole seconds to delay a timer message for ``due`` (at most ``max_delay``)."""
    return max(0, min(max_delay, math.ceil(due - now)))


def _schedule_call(cmd: Any, c: RouteContext, out: Routed) -> None:
    delay = call_delay(cmd.due, c.now, c.settings.max_delay)
    if cmd.due - c.now > c.settings.max_delay and schedules_enabled():
        delay = 0  # the timer makes it a one-time schedule now, so that a cancel finds it
    out.add(c.settings.timer_queue, OutMessage(envelopes.encode(cmd), delay=delay))


def _cancel_call(cmd: Any, c: RouteContext, out: Routed) -> None:
    if schedules_enabled():  # the call may have a schedule (longer than SQS delays): delete it
        out.add(c.settings.timer_queue, OutMessage(envelopes.encode(cmd)))


def _notify(cmd: Any, c: RouteContext, out: Routed) -> None:
    """One message per publisher, so that each publisher's stream is retried on its own;
    on a FIFO queue grouped by execution and publisher (ordered), deduplicated by the
    save's event id and the publisher's position (the handler's notification id)."""
    meta = {"workflow_id": c.meta.get("workflow_id"), "project_id": c.meta.get("project_id")}
    queue = c.settings.notifier_queue
    fifo = queue.endswith(".fifo")
    for i, publisher in enumerate(cmd.publishers or (None,)):
        one = dataclasses.replace(cmd, publishers=(publisher,)) if publisher is not None else cmd
        message = OutMessage(envelopes.encode(one, meta))
        if fifo:
            message.group_id = f"{cmd.execution_id}:{publisher_key(publisher)}"
            message.dedup_id = f"{c.event_id()}:{i}"
        out.add(queue, message)


#: command type name -> route (one line to add for a new command)
ROUTES: dict[str, Callable[[Any, RouteContext, Routed], None]] = {
    "RunAction": _run_action,
    "StartSubworkflow": _start_subworkflow,
    "SignalSubworkflow": _signal_subworkflow,
    "ExecutionStateChanged": _state_changed,
    "ExecutionFinished": _finished,
    "ScheduleCall": _schedule_call,
    "CancelCall": _cancel_call,
    "Notify": _notify,
}


def _as_object(command: Any) -> tuple[str, Any, dict[str, Any] | None]:
    """(type name, command object or None, raw fields when not decodable)."""
    if isinstance(command, dict):
        name = command.get("type", "?")
        try:
            return name, codec.decode_command(command), None
        except (KeyError, TypeError):
            return name, None, command.get("fields") or {}
    return type(command).__name__, command, None


def route(commands: Iterable[Any], context: RouteContext) -> Routed:
    """Messages for ``commands`` (in order), per queue."""
    out = Routed()
    for n, command in enumerate(commands):
        context.n = n
        name, obj, raw = _as_object(command)
        handler = ROUTES.get(name)
        if obj is None or handler is None:
            out.unrouted.append((name, raw if raw is not None else envelopes.fields_of(obj)))
            continue
        handler(obj, context, out)
    return out
