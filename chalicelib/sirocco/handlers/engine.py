"""The engine queue's handler: apply each execution's events as one batch.

Lambda delivers up to 10 records of the FIFO queue; they may belong to
several executions (message groups). Per execution, in arrival order:

1. load the state (lazily: the header, records fetched as the engine asks);
2. if the previous save's commands may not have been sent (a crash), send
   them again and mark them sent (the redo-log outbox, docs/persistence.md);
3. ``decide`` on the group's events as ONE batch;
4. save the changed records with the commands (optimistic version check);
5. send the commands (routing.py) and mark them sent.

A record that cannot be read (not an envelope, unknown version or type) fails
alone. A ``ConcurrentSaveError`` (another writer saved first: the API storing
the header of the execution it just created) reloads and applies the group
again at once; any other exception, or a second lost race, fails that group's
records only: SQS redelivers them, in order, after the
visibility timeout, and the other groups of the batch are done.
"""

from __future__ import annotations

import json
import time
from typing import Any, Mapping, Sequence

from sirocco.engine import ActionCompleted, ExecutionState, StartExecution, decide
from sirocco.engine import states
from sirocco.engine.events import Event
from sirocco.messaging import lambda_events as le
from sirocco.messaging.envelopes import Envelope
from sirocco.messaging.queues import QueueMissing
from sirocco.messaging.routing import RouteContext, route
from sirocco import metering
from sirocco.persistence import ConcurrentSaveError, LazyRecords
from sirocco.persistence import pins
from sirocco.persistence import records_codec as codec
from sirocco.persistence.records_codec import encode_commands
from sirocco.persistence.settings import DEFAULT_PROJECT

from . import inbox, inline, logs, metrics, repairs
from .failures import Failures
from .runtime import Runtime, get_runtime
from .sweeper import SweepExecution, SweepSettings


def handle(event: Mapping[str, Any], context: Any = None, runtime: Runtime | None = None) -> dict[str, Any]:
    """Lambda handler of the engine queue: ``{"batchItemFailures": [...]}``."""
    rt = runtime or get_runtime()
    failures = Failures(rt, "engine")
    accepted = inbox.accept(rt, event, Event, "engine", failures, extra={"SweepExecution": SweepExecution})
    groups: dict[str, list[tuple[Mapping[str, Any], Envelope]]] = {}
    for record, envelope in accepted:
        execution_id = envelope.to or le.group_id(record)
        if not execution_id:
            logs.error("engine message refused", message_id=record.get("messageId", ""),
                       error="no execution id (message group id or envelope 'to')")
            failures.fail(record, "refused: no execution id (message group id or envelope 'to')")
            continue
        groups.setdefault(execution_id, []).append((record, envelope))
    for execution_id, items in groups.items():
        with metering.working_for(execution_id):  # what this group's work costs is its execution's
            _apply_group(rt, execution_id, items, failures)
    return failures.response()


def _apply_group(rt: Runtime, execution_id: str, items: Sequence[tuple[Mapping[str, Any], Envelope]],
                 failures: Failures) -> None:
    """Apply one execution's events; on failure, fail its records only (SQS redelivers them)."""
    envelopes = [envelope for _, envelope in items]
    try:
        try:
            apply(rt, execution_id, envelopes)
        except ConcurrentSaveError as exc:  # someone saved first (the API's header of a new execution)
            logs.info("engine batch lost a race; applied again", execution_id=execution_id,
                      events=len(items), **logs.exception_fields(exc))
            apply(rt, execution_id, envelopes)
    except ConcurrentSaveError as exc:
        logs.warning("engine batch lost a race twice; retried", execution_id=execution_id, events=len(items),
                     **logs.exception_fields(exc))
        failures.fail_all([record for record, _ in items], exc, execution_id=execution_id)
    except Exception as exc:
        logs.error("engine batch failed; retried", execution_id=execution_id, events=len(items),
                   types=[e.type for _, e in items], **logs.exception_fields(exc))
        failures.fail_all([record for record, _ in items], exc, execution_id=execution_id)


def apply(rt: Runtime, execution_id: str, envelopes: Sequence[Envelope]) -> int:
    """Apply one execution's events (in order) as one batch; returns the saved version."""
    started = time.perf_counter()
    sweeps = [e.obj for e in envelopes if isinstance(e.obj, SweepExecution)]
    envelopes = [e for e in envelopes if not isinstance(e.obj, SweepExecution)]
    events: list[Event] = [e.obj for e in envelopes]
    store = rt.executions
    loaded = store.load(execution_id, lazy=rt.lazy_load)
    if loaded is None:
        start = next((e for e in envelopes if isinstance(e.obj, StartExecution)), None)
        if start is None:
            if events:
                logs.warning("events for an execution that does not exist; dropped", execution_id=execution_id,
                             types=[type(e).__name__ for e in events])
            return 0
        parent = start.obj.parent_execution_id
        if parent and not store.is_live(parent):
            # the parent was deleted after the batch that started this child committed: the
            # delete could not see the child yet (its run was still in the redo log)
            logs.warning("sub-workflow start for a deleted parent; dropped", execution_id=execution_id,
                         parent_execution_id=parent)
            return 0
        state, version = ExecutionState.new(execution_id), 0
        events = [start.obj] + [e for e in events if e is not start.obj]
        meta = dict(start.meta)
        meta.setdefault("project_id", DEFAULT_PROJECT)
        meta.setdefault("namespace", (start.obj.params or {}).get("namespace") or "")
    else:
        state, version, meta = loaded.state, loaded.version, dict(loaded.meta)
        if loaded.outbox:
            logs.warning("resending the commands of an unfinished save", execution_id=execution_id,
                         version=version, commands=len(loaded.outbox))
            dispatch(rt, execution_id, version, meta, state.header.workflow, loaded.outbox)
            rt.step("engine.resent")
            store.mark_sent(execution_id, version)
        if sweeps:
            events += _repairs(rt, execution_id, state, resent=bool(loaded.outbox))
        if not events:
            return version
    before = None if loaded is None else state.header.state
    _prefetch_actions(rt, execution_id, state, events)
    catalog = rt.catalog(meta, _pinned(rt, execution_id, state, events, meta))
    decision, ran = inline.settle(lambda s, e: decide(catalog, s, e), decide(catalog, state, events),
                                  rt.registry, rt.clock, rt.inline_actions)
    header = decision.state.header
    if version == 0 and not meta.get("workflow_id") and header.workflow:
        workflow_id = catalog.workflow_id(header.workflow)
        if workflow_id:
            meta["workflow_id"] = workflow_id
    commands = encode_commands(decision.commands)
    new_version = store.save(execution_id, decision, commands, version, meta=meta, at=rt.clock())
    rt.step("engine.saved")
    if new_version != version:  # a redelivered batch saves nothing and counts nothing
        metrics.execution_changed(execution_id, header.workflow, before, header.state)
    if commands:
        dispatch(rt, execution_id, new_version, meta, header.workflow, commands)
        rt.step("engine.sent")
        store.mark_sent(execution_id, new_version)
    logs.info("engine batch", execution_id=execution_id, workflow=header.workflow, events=len(events),
              types=sorted({type(e).__name__ for e in events}), version=new_version,
              changed=len(decision.changed), commands=len(commands), inline=ran, state=header.state,
              ms=round((time.perf_counter() - started) * 1000, 1))
    return new_version


def _repairs(rt: Runtime, execution_id: str, state: ExecutionState, resent: bool) -> list[Event]:
    """The events a ``SweepExecution`` becomes (repairs.py); none when the outbox was
    just resent (its commands move the execution on; the next sweep looks again)."""
    if resent:
        logs.info("execution swept", execution_id=execution_id, repairs=["unsent commands sent again"])
        return []
    diagnosis = repairs.diagnose(rt, execution_id, state, rt.clock(), SweepSettings.from_env())
    level = logs.warning if diagnosis.events else logs.info
    level("execution swept", execution_id=execution_id, workflow=state.header.workflow, state=state.header.state,
          **repairs.summary(diagnosis))
    return list(diagnosis.events)


def _pinned(rt: Runtime, execution_id: str, state: ExecutionState, events: Sequence[Event],
            meta: Mapping[str, Any]) -> dict[str, str]:
    """The execution's own workflow definition, as it was when the execution
    started: pinned by the batch that applies the start (before its save, so a
    crash pins again the same text), read back by every later batch."""
    header = state.header
    start = next((e for e in events if isinstance(e, StartExecution)), None)
    name = header.workflow or (start.workflow if start is not None else "")
    if not name:
        return {}
    if start is not None and header.state == states.IDLE:
        item = rt.catalog(meta).item("workflow", name)
        if item is None or not item.definition:
            return {}  # the engine refuses the start itself
        return {name: pins.pin(rt.executions, execution_id, item.definition)}
    text = pins.pinned(rt.executions, execution_id)
    return {name: text} if text is not None else {}


def _prefetch_actions(rt: Runtime, execution_id: str, state: ExecutionState, events: Sequence[Event]) -> None:
    """Read the action runs a batch of results is about, and their tasks, with one
    BatchGetItem before ``decide`` asks for them: a lazy map that misses key after key
    loads its whole kind instead (every action of a 1,000-item with-items; every task
    of a 1,000-branch fan-out, for each batch of ten results)."""
    actions, tasks = state.actions, state.tasks
    if not isinstance(actions, LazyRecords):
        return
    wanted = list(dict.fromkeys(e.action_id for e in events if isinstance(e, ActionCompleted)))
    if len(wanted) < 2:
        return
    owners = list(dict.fromkeys(a.rsplit(".", 2)[0] for a in wanted if a.count(".") == 2))
    keys = [f"ACTION#{a}" for a in wanted] + [f"TASK#{t}" for t in owners]
    store = rt.executions
    rows: list[Any] = []
    for start in range(0, len(keys), 100):  # BatchGetItem's limit
        got = list(store.Item.batch_get([(execution_id, k) for k in keys[start:start + 100]], consistent_read=True))
        store.stats.count("BatchGetItem", read=len(got))
        rows += got
    cache: dict[str, Any] = {}
    for row in rows:
        values = codec.loads(row.body) if row.body else {}
        for name, key in (json.loads(row.s3) if row.s3 else {}).items():
            if key not in cache:
                cache[key] = store.payloads.get(key).decode("utf-8")
            values[name] = codec.loads(cache[key])
        record = codec.decode_record(row.sk, values)
        (tasks if row.sk.startswith("TASK#") else actions).preload(record.id, record)


def dispatch(rt: Runtime, execution_id: str, version: int, meta: Mapping[str, Any], workflow: str,
             commands: Sequence[Any]) -> None:
    """Send the commands of save ``version`` (objects or their JSON form) to their queues."""
    context = RouteContext(execution_id, version, rt.queue_settings, rt.clock(), dict(meta), workflow)
    routed = route(commands, context)
    for name, fields in routed.unrouted:
        logs.error("no route for command; not sent", execution_id=execution_id, command=name,
                   fields=sorted(fields))
    default_executor = rt.queue_settings.executor_queue
    for queue, messages in routed.messages.items():
        try:
            rt.queues.send(queue, messages)
        except QueueMissing:
            if queue not in routed.targets:
                raise
            logs.warning("no executor queue for target; using the default executor queue",
                         execution_id=execution_id, target=routed.targets[queue], queue=queue)
            rt.queues.send(default_executor, messages)
