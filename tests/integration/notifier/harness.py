"""A stack of the app's handlers on the test emulator, in this process, for the notifier
and event-trigger tests: its own tables and queues (the notifier queue FIFO with its
FIFO dead-letter queue, as the template makes them), its own EventBridge bus, and a
delivery loop that plays Lambda's SQS event sources with the runtime passed to each
handler (the process-wide runtime of other test modules is left alone)."""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator

from sirocco import eventbridge
from sirocco.engine import states
from sirocco.handlers import engine, events, executor, notifier, timer
from sirocco.handlers.runtime import Runtime
from sirocco.messaging import lambda_events as le
from sirocco.notifier.config import NotifierSettings
from sirocco.persistence import create_tables


def stack_env(suffix: str) -> dict[str, str]:
    return {"SIROCCO_EXECUTIONS_TABLE": f"nt-executions-{suffix}",
            "SIROCCO_DEFINITIONS_TABLE": f"nt-definitions-{suffix}",
            "SIROCCO_PAYLOAD_BUCKET": f"nt-payloads-{suffix}",
            "SIROCCO_ENGINE_QUEUE": f"nt-engine-{suffix}.fifo",
            "SIROCCO_EXECUTOR_QUEUE": f"nt-executor-{suffix}",
            "SIROCCO_TIMER_QUEUE": f"nt-timer-{suffix}",
            "SIROCCO_NOTIFIER_QUEUE": f"nt-notifier-{suffix}.fifo",
            "SIROCCO_EVENTS_QUEUE": f"nt-events-{suffix}",
            "SIROCCO_EVENT_BUS": f"nt-bus-{suffix}",
            "SIROCCO_PREFIX": f"nt{suffix}",
            "SIROCCO_API_APPLY_WAIT": "0"}


@dataclass
class Stack:
    rt: Runtime
    env: dict[str, str]
    settings: NotifierSettings
    #: bodies each queue role handed to its handler, in order
    bodies: dict[str, list[str]] = field(default_factory=dict)

    @property
    def sqs(self) -> Any:
        return self.rt.queues.client

    def url(self, role: str) -> str:
        return self.rt.queues.url(self.rt.queue_settings.queues()[role])

    def dlq_messages(self, role: str = "notifier") -> list[dict[str, Any]]:
        from sirocco.messaging.settings import dead_letter_queue

        url = self.rt.queues.url(dead_letter_queue(self.rt.queue_settings.queues()[role]))
        got: list[dict[str, Any]] = []
        while True:
            batch = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"],
                                             AttributeNames=["All"]).get("Messages") or []
            if not batch:
                return got
            got += batch
            self.sqs.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(batch)])

    def handler(self, role: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
        if role == "notifier":
            return lambda event: notifier.handle(event, None, runtime=self.rt, settings=self.settings)
        module = {"engine": engine, "executor": executor, "timer": timer, "events": events}[role]
        return lambda event: module.handle(event, None, runtime=self.rt)

    def pump(self, role: str, *, twice: bool = False) -> int:
        """One receive of up to 10 messages handed to the role's handler (``twice``: the
        same batch again, a redelivery); successes deleted, failures left to their
        visibility (the notifier sets its own backoff; other handlers' come back at once)."""
        url = self.url(role)
        got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, **le.RECEIVE_ARGS).get("Messages") or []
        if not got:
            return 0
        arn = self.rt.queues.arn(self.rt.queue_settings.queues()[role])
        event = le.sqs_event(got, arn, self.rt.queue_settings.region)
        self.bodies.setdefault(role, []).extend(m["Body"] for m in got)
        failed = le.failed_ids(self.handler(role)(event))
        if twice:
            failed |= le.failed_ids(self.handler(role)(event))
        done = [m for m in got if m["MessageId"] not in failed]
        if done:
            self.sqs.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(done)])
        again = [m for m in got if m["MessageId"] in failed]
        if again and role != "notifier":
            self.sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
                {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                for n, m in enumerate(again)])
        return len(got)

    def step(self) -> int:
        return sum(self.pump(role) for role in ("events", "engine", "executor", "timer", "notifier"))

    def pending(self) -> int:
        total = 0
        for role in ("events", "engine", "executor", "timer", "notifier"):
            attrs = self.sqs.get_queue_attributes(QueueUrl=self.url(role), AttributeNames=["All"])["Attributes"]
            total += sum(int(attrs.get(k, 0)) for k in ("ApproximateNumberOfMessages",
                                                       "ApproximateNumberOfMessagesNotVisible",
                                                       "ApproximateNumberOfMessagesDelayed"))
        return total

    def run(self, until: Callable[[], Any] | None = None, timeout: float = 60.0) -> None:
        """Deliver until ``until()`` holds when nothing is ready, or until every queue is empty."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.step():
                continue
            if until is not None and until():
                return
            if until is None and not self.pending():
                return
            time.sleep(0.05)
        raise AssertionError(f"delivery did not finish in {timeout} s")

    def finish(self, execution_id: str, timeout: float = 60.0) -> Any:
        """Deliver until the execution ends and the queues are empty; its header."""
        def ended() -> bool:
            found = self.rt.executions.get_execution(execution_id)
            return found is not None and found[0].state in states.COMPLETED
        self.run(ended, timeout)
        self.run(timeout=timeout)
        return self.rt.executions.get_execution(execution_id)[0]


def make_stack(aws_endpoint: str) -> Iterator[Stack]:
    """A fresh stack; ``os.environ`` carries its bus and names while it lives (the
    EventBridge adapter and the API's trigger code read them from there)."""
    suffix = uuid.uuid4().hex[:8]
    env = stack_env(suffix)
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    eventbridge.reset()
    try:
        rt = Runtime.from_env(os.environ)
        create_tables(rt.executions.models)
        rt.payloads.ensure_bucket()
        sqs = rt.queues.client
        qs = rt.queue_settings
        fifo = {"FifoQueue": "true", "VisibilityTimeout": "30"}
        sqs.create_queue(QueueName=qs.engine_queue, Attributes=fifo)
        sqs.create_queue(QueueName=qs.notifier_queue, Attributes=fifo)
        sqs.create_queue(QueueName=qs.notifier_queue.replace(".fifo", "-dlq.fifo"), Attributes=fifo)
        for name in (qs.executor_queue, qs.timer_queue, qs.events_queue, f"{qs.events_queue}-dlq"):
            sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "30"})
        eventbridge.shared().client.create_event_bus(Name=env["SIROCCO_EVENT_BUS"])
        settings = NotifierSettings(attempts=3, backoff=0, event_bus=env["SIROCCO_EVENT_BUS"])
        yield Stack(rt, env, settings)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        eventbridge.reset()


# ---------------------------------------------------------------------------- a webhook receiver


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: Any
    status: int


class Receiver:
    """An HTTP server on 127.0.0.1 that records every POST; ``answers`` are the statuses
    of the next requests (then ``default``)."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.answers: list[int] = []
        self.default = 200
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    status = receiver.answers.pop(0) if receiver.answers else receiver.default
                    receiver.requests.append(Received(self.path, dict(self.headers), json.loads(raw or b"null"),
                                                      status))
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else f"refused with {status}".encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def delivered(self, path: str | None = None) -> list[Received]:
        """The requests answered 2xx (those to ``path`` only, if given)."""
        with self._lock:
            return [r for r in self.requests if r.status < 300 and (path is None or r.path == path)]

    def to(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
