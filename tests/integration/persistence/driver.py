"""A minimal engine shell over the real store, for the persistence tests: what
the engine handler will do (load, send a leftover outbox, decide, save, send,
mark sent), with an in-memory FIFO queue that deduplicates by event id like an
SQS FIFO queue, and redelivers a batch whose handler crashed."""

from __future__ import annotations

from collections import deque
from typing import Any, Callable

from sirocco.engine import (ActionCompleted, CallFired, Catalog, ExecutionState, RunAction, ScheduleCall,
                            StartExecution, decide)
from sirocco.engine.events import Event
from sirocco.language import parse_workflows
from sirocco.persistence import ExecutionStore
from sirocco.persistence.records_codec import decode_command, encode_commands

WORKFLOW = """
version: '2.0'
wf:
  input: [names]
  tasks:
    fan:
      with-items: name in <% $.names %>
      action: std.echo output=<% $.name %>
      publish: {greeted: <% task().result %>}
      on-success: [left, right]
    left:
      action: std.echo output="left"
      publish: {l: <% task().result %>}
      on-success: [join]
    right:
      action: test.flaky
      retry: {count: 2, delay: 1}
      publish: {r: <% task().result %>}
      on-success: [join]
    join:
      join: all
      action: std.echo output=<% [$.greeted, $.l, $.r] %>
      publish: {final: <% task().result %>}
"""


class Crash(Exception):
    """An injected crash."""


def run_action(cmd: RunAction) -> tuple[Any, bool]:
    """(result or error, failed) for the test actions."""
    if cmd.name == "std.echo":
        return cmd.input.get("output"), False
    if cmd.name == "test.flaky":  # fails on its first run
        return ("flaky failed", True) if cmd.action_id.split(".")[1] == "1" else ("flaky ok", False)
    if cmd.name == "test.big":
        return "x" * int(cmd.input["size"]), False
    raise AssertionError(cmd.name)


class Driver:
    def __init__(self, store: ExecutionStore, workflow_text: str = WORKFLOW, lazy: bool = False) -> None:
        self.store = store
        self.specs = Catalog.of(parse_workflows(workflow_text))
        self.queue: deque[tuple[str, Event]] = deque()
        self.seen: set[str] = set()
        self.clock = 1_700_000_000.0
        self.sent: list[dict[str, Any]] = []
        self.lazy = lazy
        self.batch_size = 1

    def post(self, eid: str, make: Callable[[str, float], Event], event_id: str) -> None:
        if event_id in self.seen:  # FIFO deduplication
            return
        self.seen.add(event_id)
        self.clock += 1
        self.queue.append((eid, make(event_id, self.clock)))

    def start(self, eid: str, workflow: str = "wf", input: dict[str, Any] | None = None,
              event_id: str | None = None) -> None:
        """Start ``eid``; a fixed ``event_id`` makes the derived ids the same in every run."""
        self.post(eid, lambda i, t: StartExecution(i, t, workflow=workflow, input=input or {}),
                  event_id or f"start-{eid}")

    def send(self, commands: list[dict[str, Any]]) -> None:
        for data in commands:
            self.sent.append(data)
            cmd = decode_command(data)
            if isinstance(cmd, RunAction) and cmd.name == "test.async":
                continue  # completed from outside, later (an async action)
            if isinstance(cmd, RunAction):
                value, failed = run_action(cmd)
                self.post(cmd.execution_id, lambda i, t, c=cmd, v=value, f=failed: ActionCompleted(
                    i, t, action_id=c.action_id, result=None if f else v, error=v if f else None, failed=f),
                    f"done-{cmd.action_id}")
            elif isinstance(cmd, ScheduleCall):
                self.post(cmd.execution_id, lambda i, t, c=cmd: CallFired(i, t, call_id=c.call_id),
                          f"fire-{cmd.call_id}")

    def step(self) -> None:
        """Handle one batch of one execution's events; on a crash the batch goes
        back to the front of the queue (SQS redelivers it)."""
        eid = self.queue[0][0]
        batch = []
        while self.queue and self.queue[0][0] == eid and len(batch) < self.batch_size:
            batch.append(self.queue.popleft()[1])
        try:
            self.handle(eid, batch)
        except Crash:
            self.queue.extendleft((eid, e) for e in reversed(batch))

    def handle(self, eid: str, batch: list[Event]) -> None:
        loaded = self.store.load(eid, lazy=self.lazy)
        if loaded is None:
            state, version = ExecutionState.new(eid), 0
        else:
            state, version = loaded.state, loaded.version
            if loaded.outbox:
                self.send(loaded.outbox)
                self.store.mark_sent(eid, version)
        decision = decide(self.specs, state, batch)
        commands = encode_commands(decision.commands)
        new_version = self.store.save(eid, decision, commands, version)
        if commands:
            self.send(commands)
            if self.store.checkpoint is not None:
                self.store.checkpoint("sent")  # a crash after sending, before marking sent
            self.store.mark_sent(eid, new_version)

    def run(self, limit: int = 10_000) -> None:
        for _ in range(limit):
            if not self.queue:
                return
            self.step()
        raise AssertionError("did not finish")
