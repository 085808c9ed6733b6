"""A tiny Chalice app with app.py's shape (routes under /v2, four SQS handlers on
the template's queues) that records what Lambda would deliver, for testing the
local runtime without the engine."""

from __future__ import annotations

import json
import threading
from typing import Any

from chalice import Chalice


class Recorder:
    """Events each handler received; bodies listed in ``fail_once`` fail the first
    time they are seen, those in ``fail_always`` every time."""

    def __init__(self) -> None:
        self.events: dict[str, list[dict[str, Any]]] = {"engine": [], "executor": [], "timer": [], "notifier": []}
        self.fail_once: set[str] = set()
        self.fail_always: set[str] = set()
        self.raise_on: set[str] = set()
        self._seen: set[str] = set()
        self._lock = threading.Lock()
        self.changed = threading.Condition(self._lock)

    def handle(self, role: str, event: dict[str, Any]) -> dict[str, Any]:
        failed = []
        with self._lock:
            self.events[role].append(event)
            self.changed.notify_all()
            for record in event["Records"]:
                body = record["body"]
                if body in self.raise_on:
                    raise RuntimeError(f"handler crashed on {body}")
                if body in self.fail_always or (body in self.fail_once and body not in self._seen):
                    failed.append({"itemIdentifier": record["messageId"]})
                self._seen.add(body)
        return {"batchItemFailures": failed}

    def records(self, role: str) -> list[dict[str, Any]]:
        with self._lock:
            return [r for e in self.events[role] for r in e["Records"]]

    def wait_for(self, predicate: Any, timeout: float = 10.0) -> bool:
        with self._lock:
            return self.changed.wait_for(predicate, timeout)


def make_app(prefix: str, recorder: Recorder) -> Chalice:
    app = Chalice(app_name="standin")

    @app.route("/v2/ping")
    def ping() -> dict[str, Any]:
        return {"pong": True}

    @app.route("/v2/echo", methods=["POST"])
    def echo() -> dict[str, Any]:
        return {"got": json.loads(app.current_request.raw_body or b"null")}

    def register(role: str, queue: str) -> None:
        def handler(event: Any) -> dict[str, Any]:
            return recorder.handle(role, event.to_dict())

        handler.__name__ = f"{role}_queue"
        app.on_sqs_message(queue=queue, batch_size=10, name=role)(handler)

    register("engine", f"{prefix}-engine.fifo")
    register("executor", f"{prefix}-executor")
    register("timer", f"{prefix}-timer")
    register("notifier", f"{prefix}-notifier.fifo")
    return app
