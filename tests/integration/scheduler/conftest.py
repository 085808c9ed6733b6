"""One `sirocco dev` (a subprocess, as a user runs it) for the scheduler tests,
with the helpers they share: the movable clock (``/_dev/clock``), the
emulator's EventBridge Scheduler and SQS, and waiting for what a user would see."""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.request
import uuid
from typing import Any, Callable, Iterator

import boto3
import pytest

from ..dev.devprocess import Dev, sirocco_dev

GROUP = "sirocco"
TIMER_ARN = "arn:aws:sqs:us-east-1:123456789012:sirocco-timer"


class Stack:
    """The running `sirocco dev` seen from a test."""

    def __init__(self, dev: Dev) -> None:
        self.dev = dev
        self.root = dev.api[: -len("/v2")]
        self.scheduler = self._client("scheduler")
        self.sqs = self._client("sqs")

    def _client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.dev.emulator, region_name="us-east-1",
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    def call(self, method: str, path: str, body: Any = None, content_type: str = "application/json") -> tuple[int, Any]:
        status, answer = self.dev.call(method, path, body, content_type)
        if isinstance(answer, str):
            try:
                answer = json.loads(answer)
            except ValueError:
                pass
        return status, answer

    # -- the clock

    def _clock(self, body: dict[str, Any] | None = None) -> dict[str, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.root}/_dev/clock", data=data, method="POST" if body else "GET",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def now(self) -> float:
        return float(self._clock()["now"])

    def advance(self, seconds: float) -> float:
        return float(self._clock({"advance": seconds})["now"])

    def advance_past(self, moment: dt.datetime) -> float:
        """Move the clock just past ``moment`` (naive UTC), if it is not there yet."""
        target = moment.replace(tzinfo=dt.timezone.utc).timestamp() + 1
        return self.advance(max(0.0, target - self.now()))

    # -- the emulator

    def schedules(self) -> dict[str, dict[str, Any]]:
        names = [s["Name"] for s in self.scheduler.list_schedules(GroupName=GROUP)["Schedules"]]
        found = {}
        for name in names:
            try:
                found[name] = self.scheduler.get_schedule(GroupName=GROUP, Name=name)
            except self.scheduler.exceptions.ResourceNotFoundException:
                pass
        return found

    def send_to_timer(self, *bodies: str) -> None:
        url = self.sqs.get_queue_url(QueueName="sirocco-timer")["QueueUrl"]
        self.sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": b}
                                                           for i, b in enumerate(bodies)])

    # -- the API

    def upload(self, text: str) -> None:
        status, answer = self.call("POST", "/workflows", text, "text/plain")
        assert status == 201, answer

    def executions(self, workflow: str) -> list[dict[str, Any]]:
        status, answer = self.call("GET", f"/executions?workflow_name={workflow}")
        assert status == 200, answer
        return answer["executions"]

    def execution(self, execution_id: str) -> dict[str, Any]:
        status, answer = self.call("GET", f"/executions/{execution_id}")
        assert status == 200, answer
        return answer

    def trigger(self, name: str) -> dict[str, Any] | None:
        status, answer = self.call("GET", f"/cron_triggers/{name}")
        if status == 404:
            return None
        assert status == 200, answer
        return answer

    def log_lines(self, msg: str, **fields: Any) -> list[dict[str, Any]]:
        lines = []
        for text in self.dev.output().splitlines():
            if text.startswith("{") and f'"{msg}"' in text:
                line = json.loads(text)
                if line.get("msg") == msg and all(line.get(k) == v for k, v in fields.items()):
                    lines.append(line)
        return lines


def wait_for(check: Callable[[], Any], what: str, timeout: float = 60.0) -> Any:
    """Poll ``check`` until it answers something true (the answer); fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        answer = check()
        if answer:
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what} after {timeout} s")
        time.sleep(0.1)


def stored_time(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S")


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    log = tmp_path_factory.mktemp("scheduler") / "sirocco-dev.log"
    with sirocco_dev(log, SIROCCO_LOG_LEVEL="INFO") as dev:
        yield Stack(dev)
