"""What ``/console`` serves and the graph resources, over HTTP on ``sirocco dev``."""

from __future__ import annotations

import json
from pathlib import Path

import requests

from tests.integration.dev.devprocess import Dev

from .support import start, wait_state

STATIC = Path(__file__).resolve().parents[2] / "chalicelib" / "sirocco" / "console" / "static"


def test_page_and_assets(console: str) -> None:
    page = requests.get(console, timeout=30)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert "console/main.js" in page.text and "console/vendor/dagre.min.js" in page.text
    for name, kind in (("main.js", "text/javascript"), ("console.css", "text/css"),
                       ("vendor/dagre.min.js", "text/javascript"), ("vendor/LICENSE-dagre.txt", "text/plain")):
        answer = requests.get(f"{console}/{name}", timeout=30)
        assert answer.status_code == 200, name
        assert answer.headers["Content-Type"].startswith(kind), name
        assert answer.content == (STATIC / name).read_bytes(), name


def test_unchanged_assets_are_not_sent_again(console: str) -> None:
    first = requests.get(f"{console}/graph.js", timeout=30)
    again = requests.get(f"{console}/graph.js", headers={"If-None-Match": first.headers["ETag"]}, timeout=30)
    assert (again.status_code, again.content) == (304, b"")


def test_nothing_else_is_served(console: str) -> None:
    for name in ("nope.js", ".hidden", "..%2F__init__.py", "vendor/..%2F..%2Fassets.py", "index.py"):
        answer = requests.get(f"{console}/{name}", timeout=30)
        assert answer.status_code in (403, 404), name
    answer = requests.get(f"{console}/nope.js", timeout=30)
    assert answer.json()["faultstring"] == "Console file not found [name=nope.js]"


def test_workflow_graph(dev: Dev, demo: None) -> None:
    status, body = dev.call("GET", "/workflows/console_demo/graph")
    assert status == 200, body
    assert (body["name"], body["type"]) == ("console_demo", "direct")
    assert {n["name"] for n in body["nodes"]} == {"start", "left", "right", "each", "child", "report", "merge"}
    assert {"source": "t:right", "target": "t:report", "on": "error", "condition": None} in body["edges"]
    status, workflow = dev.call("GET", "/workflows/console_demo")
    assert body["id"] == workflow["id"]
    # lines point into the definition the API shows
    lines = workflow["definition"].splitlines()
    merge = next(n for n in body["nodes"] if n["name"] == "merge")
    assert lines[merge["line"] - 1].strip() == "merge:"

    status, missing = dev.call("GET", "/workflows/nope/graph")
    assert status == 404
    assert json.loads(missing)["faultstring"] == "Workflow not found [workflow_identifier=nope, namespace=]"


def test_execution_graph_is_the_definition_it_started_with(dev: Dev, demo: None) -> None:
    execution_id = start(dev, "console_demo", env={"fail_right": False})
    wait_state(dev, execution_id)
    status, body = dev.call("GET", f"/executions/{execution_id}/graph")
    assert status == 200, body
    assert body["execution_id"] == execution_id and body["name"] == "console_demo"
    assert len([n for n in body["nodes"] if n["kind"] == "task"]) == 7

    status, missing = dev.call("GET", "/executions/nope/graph")
    assert status == 404
    assert json.loads(missing)["faultstring"] == "WorkflowExecution not found [id=nope]"
