"""`sirocco run FILE --workflow NAME`: a workflow run in-process with the real std actions."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from sirocco.cli import main

WORKFLOWS = """\
version: '2.0'
greet:
  input: [names, {greeting: hello}]
  output:
    lines: <% $.lines %>
    count: <% len($.lines) %>
  tasks:
    each:
      with-items: n in <% $.names %>
      concurrency: 2
      action: std.echo output="<% $.greeting %> <% $.n %>"
      publish: {lines: <% task().result %>}
      on-success: [done]
    done:
      action: std.noop
waiting:
  tasks:
    later:
      action: std.echo output=<% env().colour %>
      wait-before: 1
      publish: {colour: <% task().result %>}
failing:
  tasks:
    boom:
      action: std.fail
      publish-on-error: {seen: yes}
hanging:
  tasks:
    outside:
      action: std.async_noop
builder:
  type: reverse
  tasks:
    fetch:
      action: std.echo output="fetched"
    build:
      action: std.echo output="built"
      requires: [fetch]
    deploy:
      action: std.echo output="deployed"
      requires: [build]
"""

WORKBOOK = """\
version: '2.0'
name: shop
workflows:
  order:
    tasks:
      pay:
        workflow: charge
        input: {amount: 3}
        publish: {paid: <% task().result.total %>}
    output: {paid: <% $.paid %>}
  charge:
    input: [amount]
    tasks:
      add_tax:
        action: tax amount=<% $.amount %>
        publish: {total: <% task().result %>}
    output: {total: <% $.total %>}
actions:
  tax:
    base: std.echo
    base-input: {output: <% $.amount * 2 %>}
    input: [amount]
"""


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "wf.yaml").write_text(WORKFLOWS)
    (tmp_path / "wb.yaml").write_text(WORKBOOK)
    return {"wf": str(tmp_path / "wf.yaml"), "wb": str(tmp_path / "wb.yaml")}


def run_json(capsys, *args: str) -> tuple[int, dict]:
    code = main(["run", *args, "--json"])
    out = capsys.readouterr().out
    return code, (json.loads(out) if out.strip() else {})


def test_json_report_has_state_output_and_tasks_in_start_order(files, capsys):
    code, report = run_json(capsys, files["wf"], "--workflow", "greet", "--input", '{"names": ["ann", "bob", "cy"]}')
    assert code == 0
    assert report["state"] == "SUCCESS"
    assert report["output"] == {"lines": ["hello ann", "hello bob", "hello cy"], "count": 3}
    assert [(t["name"], t["state"]) for t in report["tasks"]] == [("each", "SUCCESS"), ("done", "SUCCESS")]
    assert report["tasks"][0]["published"] == {"lines": ["hello ann", "hello bob", "hello cy"]}


def test_table_is_printed_without_json(files, capsys):
    assert main(["run", files["wf"], "--workflow", "greet", "--input", '{"names": ["x"]}']) == 0
    out = capsys.readouterr().out
    assert "each" in out and "SUCCESS" in out and "state: SUCCESS" in out and '"hello x"' in out


def test_waits_take_real_time_and_env_comes_from_params(files, capsys):
    started = time.monotonic()
    code, report = run_json(capsys, files["wf"], "--workflow", "waiting", "--params", '{"env": {"colour": "teal"}}')
    assert time.monotonic() - started >= 1.0
    assert code == 0 and report["state"] == "SUCCESS"
    assert report["tasks"][0]["published"] == {"colour": "teal"}


def test_a_failed_workflow_still_exits_zero(files, capsys):
    code, report = run_json(capsys, files["wf"], "--workflow", "failing")
    assert code == 0
    assert report["state"] == "ERROR"
    assert report["tasks"][0]["published"] == {"seen": True}
    assert "boom" in report["state_info"]


def test_reverse_workflow_runs_only_what_the_target_needs(files, capsys):
    code, report = run_json(capsys, files["wf"], "--workflow", "builder", "--params", '{"task_name": "build"}')
    assert code == 0 and report["state"] == "SUCCESS"
    assert [t["name"] for t in report["tasks"]] == ["fetch", "build"]


def test_workbook_workflow_with_subworkflow_and_adhoc_action(files, capsys):
    code, report = run_json(capsys, files["wb"], "--workflow", "shop.order")
    assert code == 0, report
    assert report["state"] == "SUCCESS"
    assert report["output"] == {"paid": 6}


def test_std_http_may_call_a_local_service(tmp_path, capsys):
    import http.server
    import threading

    class Hello(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b'{"hello": "world"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    os.environ.pop("SIROCCO_HTTP_DENIED_CIDRS", None)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        path = tmp_path / "http.yaml"
        path.write_text(
            "version: '2.0'\ncall:\n  input: [url]\n  output: {said: <% $.said %>}\n  tasks:\n"
            "    get:\n      action: std.http url=<% $.url %>\n"
            "      publish: {said: <% task().result.content.hello %>}\n")
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        code, report = run_json(capsys, str(path), "--workflow", "call", "--input", json.dumps({"url": url}))
    finally:
        server.shutdown()
    assert code == 0
    assert report["output"] == {"said": "world"}, report


def test_missing_input_is_refused_before_anything_runs(files, capsys):
    assert main(["run", files["wf"], "--workflow", "greet"]) == 1
    assert "names" in capsys.readouterr().err


def test_bad_json_input_is_a_usage_error(files, capsys):
    with pytest.raises(SystemExit) as exit:
        main(["run", files["wf"], "--workflow", "greet", "--input", "{names"])
    assert exit.value.code == 2
    assert "not JSON" in capsys.readouterr().err


def test_invalid_file_is_reported(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: '2.0'\nwf:\n  tasks:\n    a:\n      on-success: [nowhere]\n")
    assert main(["run", str(bad), "--workflow", "wf"]) == 1
    assert "nowhere" in capsys.readouterr().err


def test_async_action_leaves_the_run_unfinished(files, capsys):
    code, report = run_json(capsys, files["wf"], "--workflow", "hanging")
    assert code == 3
    assert report["state"] == "RUNNING"
    assert report["tasks"][0]["state"] == "RUNNING"
