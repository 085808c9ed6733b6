"""`sirocco dev` as a user runs it: a subprocess on a free port, its output in a
file, reached over HTTP; shared by the tests that need the whole service."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from .ports import free_port

ROOT = Path(__file__).resolve().parents[3]
READY = re.compile(r"ready in ([0-9.]+) s")
EMULATOR = re.compile(r"embedded emulator (http://127\.0\.0\.1:\d+)")


class Dev:
    def __init__(self, process: subprocess.Popen[str], log: Path, port: int) -> None:
        self.process, self.log, self.port = process, log, port
        self.api = f"http://127.0.0.1:{port}/v2"
        self.emulator = ""
        self.ready_seconds = 0.0
        self.wall_seconds = 0.0

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def call(self, method: str, path: str, body: Any = None, content_type: str = "application/json") -> tuple[int, Any]:
        data = body.encode() if isinstance(body, str) else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.api + path, data=data, method=method,
                                         headers={"Content-Type": content_type})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def run(self, workflow: str, wf_input: dict[str, Any], timeout: float = 120.0) -> dict[str, Any]:
        status, execution = self.call("POST", "/executions", {"workflow_name": workflow,
                                                              "input": json.dumps(wf_input)})
        assert status == 201, execution
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, current = self.call("GET", f"/executions/{execution['id']}")
            if status == 200 and current["state"] not in ("RUNNING", "IDLE"):
                return current
            time.sleep(0.1)
        raise AssertionError(f"{workflow} still running after {timeout} s\n{self.output()[-3000:]}")


@contextmanager
def sirocco_dev(log: Path, **variables: str) -> Iterator[Dev]:
    """Start `sirocco dev` with a clean AWS/SIROCCO environment plus ``variables``;
    kill it on the way out unless the test stopped it."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SIROCCO_"))}
    env["SIROCCO_LOG_LEVEL"] = "WARNING"
    env.update(variables)
    began = time.monotonic()
    with open(log, "w", encoding="utf-8") as out:
        # --retry-delay 1: a batch a handler fails (an engine save that lost a race
        # ...) comes back in a second, not after the engine queue's 360 s
        process = subprocess.Popen([sys.executable, "-m", "sirocco.cli", "dev", "--port", str(port),
                                    "--retry-delay", "1"],
                                   cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
    handle = Dev(process, log, port)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            text = handle.output()
            ready = READY.search(text)
            if ready:
                handle.ready_seconds = float(ready.group(1))
                handle.wall_seconds = time.monotonic() - began
                handle.emulator = EMULATOR.search(text).group(1)  # type: ignore[union-attr]
                break
            assert process.poll() is None, f"sirocco dev exited:\n{text}"
            time.sleep(0.05)
        else:
            raise AssertionError(f"sirocco dev not ready in 30 s:\n{handle.output()}")
        yield handle
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
