#!/usr/bin/env python3
"""Checks on real Mistral 23.0.0 that run_case.py cannot express (it cannot
pause, resume or cancel, nor read notifications). Not a test: run it with
the oracle's python against the oracle server; it prints what Mistral did.
docs/engine.md records the facts and what Sirocco does about each.

    /tmp/mistral-oracle/venv/bin/python tests/unit/engine/oracle_lifecycle.py [--url URL] [--hook-host IP]

Notifications are captured by a webhook publisher posting to a small HTTP
server started here; the oracle refuses loopback webhook targets (egress
policy), so it listens on a non-loopback address of this machine
(``--hook-host``, default: the address the default route uses).
"""

from __future__ import annotations

import argparse
import json
import socket
import threading
import time
import warnings
from http.server import BaseHTTPRequestHandler, HTTPServer

import requests
import yaml

warnings.filterwarnings("ignore")
from mistralclient.api import client as mistral_client  # noqa: E402

DEFINITIONS = """
version: '2.0'
o_parent:
  tasks:
    call:
      workflow: o_child
      on-success: [after]
      on-error: [after_err]
      on-complete: [after_any]
    side:
      action: std.sleep seconds=4
    after:
      action: std.noop
    after_err:
      action: std.noop
    after_any:
      action: std.noop
o_child:
  tasks:
    c1:
      action: std.sleep seconds=3
      on-success: [c2]
    c2:
      action: std.noop
o_items:
  tasks:
    loop:
      with-items: i in <% range(4).toList() %>
      concurrency: 1
      action: std.echo output=<% $.i %> delay=1
      on-success: [after]
    after:
      action: std.noop
o_timeout_retry:
  tasks:
    slow:
      action: std.sleep seconds=3
      timeout: 1
      retry: {count: 2, delay: 0}
      on-error: [handler]
    handler:
      action: std.noop
"""

EVENTS: list[dict] = []


class _Hook(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        EVENTS.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def _default_host() -> str:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("192.0.2.1", 9))  # no packet is sent; picks the outgoing address
        return s.getsockname()[0]
    finally:
        s.close()


class Oracle:
    def __init__(self, url: str, hook: str) -> None:
        self.url = url
        self.c = mistral_client.client(mistral_url=url)
        self.notify = [{"type": "webhook", "url": hook}]

    def upload(self) -> None:
        for name in yaml.safe_load(DEFINITIONS):
            if name != "version":
                try:
                    self.c.workflows.delete(name)
                except Exception:
                    pass
        self.c.workflows.create(DEFINITIONS)

    def start(self, wf: str) -> str:
        return self.c.executions.create(wf, workflow_input={}, notify=self.notify).id

    def put(self, eid: str, state: str, info: str | None = None) -> None:
        body = {"state": state}
        if info:
            body["state_info"] = info
        requests.put(f"{self.url}/executions/{eid}", json=body, timeout=30).raise_for_status()

    def wait(self, eid: str, states=("SUCCESS", "ERROR", "CANCELLED"), limit: float = 60) -> str:
        end = time.time() + limit
        while time.time() < end:
            state = self.c.executions.get(eid).state
            if state in states:
                return state
            time.sleep(0.2)
        return self.c.executions.get(eid).state

    def child(self, eid: str) -> str:
        for t in self.c.tasks.list(workflow_execution_id=eid):
            for ex in self.c.executions.list(task=t.id):
                return ex.id
        raise LookupError("no sub-workflow yet")

    def show(self, label: str, eid: str, depth: int = 1) -> None:
        pad = "  " * depth
        ex = self.c.executions.get(eid)
        print(f"{pad}{label}: {ex.workflow_name} {ex.state} state_info={ex.state_info!r} output={ex.output}")
        for t in sorted(self.c.tasks.list(workflow_execution_id=eid), key=lambda t: t.name):
            print(f"{pad}  task {t.name}: {t.state} state_info={t.state_info!r}")
            for sub in self.c.executions.list(task=t.id):
                self.show("sub-workflow", sub.id, depth + 2)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="http://127.0.0.1:8990/v2")
    ap.add_argument("--hook-host", default=None)
    args = ap.parse_args()
    host = args.hook_host or _default_host()
    server = HTTPServer((host, 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    o = Oracle(args.url, f"http://{host}:{server.server_port}/")
    o.upload()

    print("1. cancel the parent while its sub-workflow runs")
    eid = o.start("o_parent")
    time.sleep(1.5)
    o.put(eid, "CANCELLED", "stop it")
    time.sleep(6)
    o.show("after 6 s", eid)

    print("2. cancel the sub-workflow only")
    eid = o.start("o_parent")
    time.sleep(1.5)
    o.put(o.child(eid), "CANCELLED", "child stop")
    o.wait(eid)
    time.sleep(1)
    o.show("end", eid)

    print("3. pause the parent, then resume it")
    EVENTS.clear()
    eid = o.start("o_parent")
    time.sleep(1)
    o.put(eid, "PAUSED")
    time.sleep(4)
    o.show("paused 4 s", eid)
    o.put(eid, "RUNNING")
    o.wait(eid)
    time.sleep(1)
    o.show("end", eid)
    print("  notifications:", [(e["event"], e["name"]) for e in EVENTS])

    print("4. pause while a with-items task (concurrency 1, 1 s items) runs")
    eid = o.start("o_items")
    time.sleep(1.5)
    o.put(eid, "PAUSED")
    seen = []
    for _ in range(5):
        tasks = o.c.tasks.list(workflow_execution_id=eid)
        seen.append(sum(len(o.c.action_executions.list(task_execution_id=t.id)) for t in tasks))
        time.sleep(1)
    print(f"  action executions while PAUSED, once a second: {seen}")
    o.show("paused", eid)
    o.put(eid, "RUNNING")
    o.wait(eid)
    o.show("end", eid)

    print("5. timeout 1 s with retry count 2 on std.sleep 3 s")
    EVENTS.clear()
    eid = o.start("o_timeout_retry")
    o.wait(eid)
    time.sleep(4)
    o.show("end", eid)
    for e in EVENTS:
        if e["name"] == "slow":
            print(f"      {e['event']}: {e['state']} {(e['state_info'] or '')[:70]!r}")
    for t in o.c.tasks.list(workflow_execution_id=eid):
        for a in o.c.action_executions.list(task_execution_id=t.id):
            print(f"      action of {t.name}: {a.state} {a.created_at} -> {a.updated_at} accepted={a.accepted}")
    server.shutdown()


if __name__ == "__main__":
    main()
