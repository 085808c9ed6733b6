"""A stack of the app's handlers on the test emulator, delivered by a loop that
misbehaves as SQS and Lambda may (``sirocco.local.faults``), and what a run left.

``make_stack`` gives fresh tables, queues with their dead-letter queues (as the
template makes them) and a ``Runtime`` passed to each handler. ``Chaos`` plays
Lambda's event source for the engine, executor and timer queues (messages for the
notifier queue are dropped as they are sent: nothing here reads them), one batch of
up to 10 at a time, in this thread: failed or crashed batches come back at once (the
visibility timeout, shortened), executor messages may be lost, and messages are
handed to their handler a second time, at once or later among others.

``Recorder`` wraps the store's commit and keeps the commands of every save that
committed, by (execution, version): the ``Notify`` commands among them are
the execution's state transitions, each exactly once if the engine applied each
transition once. ``outcome`` is what a user sees of a run, ids masked.
"""

from __future__ import annotations

import json
import os
import random
import re
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

from botocore.exceptions import BotoCoreError, ClientError

from sirocco.actions import ActionContext, default_registry
from sirocco.api import executions as api_executions
from sirocco.api import workflows as api_workflows
from sirocco.engine import states
from sirocco.handlers import engine, executor, timer
from sirocco.handlers.runtime import Runtime
from sirocco.local.faults import Faults, FaultSpec, InjectedCrash, detach
from sirocco.messaging import lambda_events as le
from sirocco.messaging.queues import sqs_client
from sirocco.messaging.settings import dead_letter_queue
from sirocco.persistence import ConcurrentSaveError, create_tables

from ..shell.delivery import messages_left

ROLES = ("engine", "executor", "timer")
HANDLERS: dict[str, Any] = {"engine": engine.handle, "executor": executor.handle, "timer": timer.handle}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(\.\d+\.\d+)?")

#: action id -> times a test action ran (the executor runs actions in this process)
RUNS: Counter[str] = Counter()


def _count(ctx: ActionContext, value: Any = None) -> Any:
    """Returns ``value``; counts its runs by action id."""
    RUNS[ctx.action_execution_id or "?"] += 1
    return value


def _flaky(ctx: ActionContext, label: str = "", fails: int = 1) -> str:
    """Fails the first ``fails`` attempts of its task (runs 1..fails of its action id)."""
    RUNS[ctx.action_execution_id or "?"] += 1
    run = int((ctx.action_execution_id or "x.1.0").split(".")[1])
    if run <= int(fails):
        raise RuntimeError(f"flaky {label} failed (attempt {run})")
    return f"{label} ok after {run}"


def registry() -> Any:
    reg = default_registry.copy()
    reg.register("test.count", _count)
    reg.register("test.flaky", _flaky)
    return reg


# ---------------------------------------------------------------------------- the stack


@dataclass
class Stack:
    rt: Runtime
    env: dict[str, str]

    @property
    def sqs(self) -> Any:
        return self.rt.queues.client

    def url(self, role: str) -> str:
        return self.rt.queues.url(self.rt.queue_settings.queues()[role])

    def upload(self, text: str) -> None:
        api_workflows.create(self.rt, text)

    def start(self, workflow: str, input: dict[str, Any] | None = None,
              params: dict[str, Any] | None = None) -> str:
        """Start an execution through the API's create; with a publisher, so that the engine
        makes a ``Notify`` command per state transition (``Recorder.transitions``)."""
        params = {"notify": [{"type": "webhook", "url": "http://127.0.0.1:9/transitions"}], **(params or {})}
        body = {"workflow_name": workflow, "input": json.dumps(input or {}), "params": json.dumps(params)}
        status, view = api_executions.create(self.rt, body)
        assert status == 201, view
        return str(view["id"])

    def header(self, execution_id: str) -> Any:
        found = self.rt.executions.get_execution(execution_id)
        return None if found is None else found[0]

    def dlq(self, role: str) -> str:
        return self.rt.queues.url(dead_letter_queue(self.rt.queue_settings.queues()[role]))


def stack_env(suffix: str) -> dict[str, str]:
    return {"SIROCCO_EXECUTIONS_TABLE": f"ft-executions-{suffix}",
            "SIROCCO_DEFINITIONS_TABLE": f"ft-definitions-{suffix}",
            "SIROCCO_PAYLOAD_BUCKET": f"ft-payloads-{suffix}",
            "SIROCCO_ENGINE_QUEUE": f"ft-engine-{suffix}.fifo",
            "SIROCCO_EXECUTOR_QUEUE": f"ft-executor-{suffix}",
            "SIROCCO_TIMER_QUEUE": f"ft-timer-{suffix}",
            "SIROCCO_NOTIFIER_QUEUE": f"ft-notifier-{suffix}.fifo",
            "SIROCCO_EVENTS_QUEUE": f"ft-events-{suffix}",
            "SIROCCO_API_APPLY_WAIT": "0",
            # every action through the executor queue: the faults are about its delivery (the
            # engine's inline actions meet duplicates and crashes in shell/test_delivery.py)
            "SIROCCO_INLINE_ACTIONS": "0"}


def make_stack(environ: dict[str, str] | None = None) -> Stack:
    env = {**os.environ, **stack_env(uuid.uuid4().hex[:8]), **(environ or {})}
    rt = Runtime.from_env(env)
    rt.registry = registry()
    create_tables(rt.executions.models)
    rt.payloads.ensure_bucket()
    sqs = rt.queues.client
    qs = rt.queue_settings
    for name in (qs.engine_queue, qs.executor_queue, qs.timer_queue, qs.notifier_queue):
        fifo = name.endswith(".fifo")
        attributes = {"VisibilityTimeout": "30", **({"FifoQueue": "true"} if fifo else {})}
        dlq = sqs.create_queue(QueueName=dead_letter_queue(name), Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        # SQS's own redrive is the backstop for what a handler could not dead-letter itself
        policy = json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 100})
        sqs.create_queue(QueueName=name, Attributes={**attributes, "RedrivePolicy": policy})
    _drop_notifications(rt)
    return Stack(rt, env)


def _drop_notifications(rt: Runtime) -> None:
    """Messages for the notifier queue are counted and dropped instead of sent."""
    send = rt.queues.send
    notifier = rt.queue_settings.notifier_queue

    def sending(queue: str, messages: Any) -> int:
        if queue == notifier:
            return len(list(messages))
        return send(queue, messages)

    rt.queues.send = sending  # type: ignore[method-assign]


# ---------------------------------------------------------------------------- what runs leave


@dataclass
class Recorder:
    """The commands of every save that committed, by (execution id, version).

    Recorded at the commit (``ExecutionStore._commit``), the save's one conditional
    UpdateItem: a crash right after it, inside ``save``, still leaves a committed save
    whose commands the next load sends from the outbox."""

    saves: dict[tuple[str, int], list[Any]] = field(default_factory=dict)

    def wrap(self, store: Any) -> Callable[[], None]:
        commit = store._commit
        answered = threading.local()

        def update_answered(http_response: Any = None, **_: Any) -> None:
            answered.ok = http_response is not None and http_response.status_code < 300

        client = store.Item._get_connection().connection.client
        client.meta.events.register_first("after-call.dynamodb.UpdateItem", update_answered,
                                          unique_id="chaos-recorder")

        def recording(execution_id: str, header: Any, version: int, body: str, s3: Any, log: str | bytes | None,
                      log_key: str | None, *rest: Any) -> None:
            answered.ok = False
            try:
                commit(execution_id, header, version, body, s3, log, log_key, *rest)
            except ConcurrentSaveError:
                raise
            except BaseException:
                if answered.ok:  # it committed, then the handler died
                    self._keep(store, execution_id, version, log, log_key)
                raise
            self._keep(store, execution_id, version, log, log_key)

        store._commit = recording

        def undo() -> None:
            store._commit = commit
            client.meta.events.unregister("after-call.dynamodb.UpdateItem", unique_id="chaos-recorder")
        return undo

    def _keep(self, store: Any, execution_id: str, version: int, log: str | bytes | None,
              log_key: str | None) -> None:
        self.saves[(execution_id, version)] = list(store.log_of(log, log_key)["commands"])

    def transitions(self, execution_id: str) -> Counter[tuple[str, str]]:
        """(event, workflow or task name) of the execution's Notify commands."""
        out: Counter[tuple[str, str]] = Counter()
        for (eid, _v), commands in self.saves.items():
            if eid != execution_id:
                continue
            for command in commands:
                if command.get("type") == "Notify":
                    data = command["fields"]["data"]
                    out[(command["fields"]["event"], data.get("name") or "")] += 1
        return out


def masked(value: Any) -> Any:
    """``value`` with execution, task and action ids replaced (they differ per run)."""
    return json.loads(UUID.sub("<id>", json.dumps(value, sort_keys=True, default=str)))


@dataclass
class Partition:
    """The records of one execution as a scan of the table found them."""

    header: Any = None
    version: int = 0
    done: int = 0
    tasks: list[Any] = field(default_factory=list)
    actions: list[Any] = field(default_factory=list)


def partitions(rt: Runtime) -> dict[str, Partition]:
    """Every execution of the stack's table, with one Scan: reading runs one Query at a
    time costs the emulator a pass over the whole table per Query."""
    store = rt.executions
    out: dict[str, Partition] = {}
    cache: dict[str, Any] = {}
    for row in store.Item.scan():
        part = out.setdefault(row.pk, Partition())
        kind = row.sk.split("#", 1)[0]
        if row.sk == "EXEC":
            part.header = store._decode(row.sk, row.body, row.s3, cache)
            part.version = int(row.v or 0)
        elif row.sk == "DONE":
            part.done = int(row.v or 0)
        elif kind == "TASK":
            part.tasks.append(store._decode(row.sk, row.body, row.s3, cache))
        elif kind == "ACTION":
            part.actions.append(store._decode(row.sk, row.body, row.s3, cache))
    return out


def outcome(found: dict[str, Partition], execution_id: str, recorder: Recorder | None = None) -> dict[str, Any]:
    """What a user sees of an execution and its sub-workflows, ids masked."""
    part = found[execution_id]
    header = part.header
    tasks = [(t.name, t.state, masked(t.state_info), masked(t.published), t.runs) for t in part.tasks]
    actions = Counter((a.name, a.state, json.dumps(masked(a.result), sort_keys=True)) for a in part.actions)
    children = sorted((outcome(found, a.id, recorder) for a in part.actions if a.is_workflow),
                      key=lambda c: json.dumps(c, sort_keys=True))
    out = {"state": header.state, "state_info": masked(header.state_info), "output": masked(header.output),
           "tasks": sorted(tasks, key=lambda t: json.dumps(t, sort_keys=True)),
           "actions": sorted(actions.items()), "children": children}
    if recorder is not None:
        out["transitions"] = sorted(recorder.transitions(execution_id).items())
    return out


def unsent(found: dict[str, Partition], execution_id: str) -> list[str]:
    """The executions of this run (sub-workflows included) whose last save's commands
    were not all sent."""
    part = found[execution_id]
    mine = [execution_id] if part.done < part.version else []
    for run in part.actions:
        if run.is_workflow:
            mine += unsent(found, run.id)
    return mine


# ---------------------------------------------------------------------------- delivery


class Chaos:
    """Lambda's SQS event sources for one stack, with ``faults`` (none by default)."""

    def __init__(self, stack: Stack, faults: Faults | None = None, seed: int = 0,
                 crash_roles: tuple[str, ...] = ROLES) -> None:
        self.stack = stack
        self.rt = stack.rt
        self.faults = faults or Faults(FaultSpec())
        self.crash_roles = crash_roles
        self.rng = random.Random(seed)
        names = self.rt.queue_settings.queues()
        self.queues = {role: (self.rt.queues.url(names[role]), self.rt.queues.arn(names[role])) for role in ROLES}
        #: the event source's own client: Lambda's pollers are not the handlers' AWS calls
        self.sqs = detach(sqs_client(self.rt.queue_settings))
        self.later: list[tuple[str, dict[str, Any]]] = []  # (role, event) handed again later
        self.messages: Counter[str] = Counter()
        self.crashes: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()
        #: executor records a worker took and never answered
        self.lost: list[dict[str, Any]] = []
        #: SQS calls of the event source that failed after botocore's retries
        self.source_errors = 0
        #: (role, record) -> True for a message to lose: acknowledged, never handled
        self.drop: Callable[[str, dict[str, Any]], bool] | None = None
        self.dropped: list[tuple[str, dict[str, Any]]] = []

    def invoke(self, role: str, event: dict[str, Any]) -> set[str]:
        """One handler call; the message ids to retry (all of them when it crashed)."""
        ids = {r["messageId"] for r in event["Records"]}
        try:
            if role in self.crash_roles:
                with self.faults.invocation(role):
                    return le.failed_ids(HANDLERS[role](event, None, runtime=self.rt))
            return le.failed_ids(HANDLERS[role](event, None, runtime=self.rt))
        except InjectedCrash:
            self.crashes[role] += 1
            return ids

    def pump(self, role: str) -> int:
        """One batch of the role's queue through its handler. An SQS call of the event
        source itself that fails for good (injected throttles) is left to the next round,
        as Lambda's pollers do: unacknowledged messages come back after their visibility."""
        try:
            return self._pump(role)
        except (BotoCoreError, ClientError):
            self.source_errors += 1
            return 0

    def _pump(self, role: str) -> int:
        url, arn = self.queues[role]
        got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                       **le.RECEIVE_ARGS).get("Messages") or []
        if not got:
            return 0
        self.messages[role] += len(got)
        event = le.sqs_event(got, arn, self.rt.queue_settings.region)
        records = event["Records"]
        lost: list[dict[str, Any]] = []
        if role == "executor":
            records, lost = self.faults.split_lost(records)
            self.lost += lost
        if self.drop is not None:
            gone = [r for r in records if self.drop(role, r)]
            self.dropped += [(role, r) for r in gone]
            records = [r for r in records if r not in gone]
        failed = self.invoke(role, {"Records": records}) if records else set()
        self.failed[role] += len(failed)
        again = self.faults.pick("duplicate", [r for r in records if r["messageId"] not in failed])
        if again:
            if self.faults.coin():
                self.invoke(role, {"Records": again})
            else:
                self.later.append((role, {"Records": again}))
        sqs = self.sqs
        done = [m for m in got if m["MessageId"] not in failed]
        if done:
            sqs.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(done)])
        retry = [m for m in got if m["MessageId"] in failed]
        if retry:  # back at once: the visibility timeout, shortened
            sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
                {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                for n, m in enumerate(retry)])
        return len(got)

    def replay(self) -> int:
        """Hand one of the kept duplicates to its handler (a late, out-of-order copy)."""
        if not self.later:
            return 0
        role, event = self.later.pop(self.rng.randrange(len(self.later)))
        self.invoke(role, event)
        return len(event["Records"])

    def step(self) -> int:
        moved = 0
        for role in self.rng.sample(ROLES, len(ROLES)):
            moved += self.pump(role)
            if self.later and self.rng.random() < 0.3:
                moved += self.replay()
        return moved

    def pending(self) -> int:
        return messages_left(self.sqs, [url for url, _ in self.queues.values()])

    def run(self, until: Callable[[], bool], timeout: float = 60.0) -> bool:
        """Deliver until ``until()`` holds with nothing ready; False at the timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.step():
                continue
            while self.later:
                self.replay()
            try:
                if until():
                    return True
            except (BotoCoreError, ClientError):  # an injected throttle: look again
                pass
            time.sleep(0.05)
        return False

    def sweep(self) -> None:
        """The sweeper's schedule fires: its message on the timer queue, delivered with
        what follows from it."""
        from sirocco.handlers.sweeper import sweep_body

        self.sqs.send_message(QueueUrl=self.queues["timer"][0], MessageBody=sweep_body())
        self.run(lambda: not self.pending(), timeout=30)

    def unfinished(self, execution_ids: list[str]) -> list[str]:
        """The executions not in a terminal state (one BatchGetItem per 100)."""
        found = self.rt.executions.headers(execution_ids)
        return [e for e in execution_ids if e not in found or found[e][0].state not in states.COMPLETED]

    def settle(self, execution_ids: list[str], timeout: float = 60.0) -> list[str]:
        """Deliver until every execution ended and the queues are empty; the ids that did not end."""
        waiting = list(execution_ids)

        def ended() -> bool:
            waiting[:] = self.unfinished(waiting)
            return not waiting and not self.pending()
        self.run(ended, timeout)
        return self.unfinished(execution_ids)
