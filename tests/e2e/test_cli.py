"""A few flows with the `mistral` command itself (python-mistralclient's shell), as a user runs
it against the API with `--os-mistral-url URL` and no authentication: create a workbook from a
file, start an execution, watch it finish, list its tasks, read its output; rerun a failed task
with a new env; complete an async action."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from .support import WAIT, new_namespace, purge_namespace, wait_execution, wait_task

pytestmark = pytest.mark.e2e


def mistral_command() -> str:
    beside = Path(sys.executable).parent / "mistral"
    found = str(beside) if beside.exists() else shutil.which("mistral")
    if not found:
        pytest.fail("the `mistral` command is not installed (python-mistralclient, the test extra)")
    return found


@pytest.fixture(scope="module")
def mistral(api_url):
    command = mistral_command()
    # no OS_* variable may switch keystone authentication on
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}

    def run(*args: str, parse: bool = True) -> Any:
        done = subprocess.run([command, "--os-mistral-url", api_url, *args], env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"mistral {' '.join(args)}: exit {done.returncode}\n{done.stderr}"
        return json.loads(done.stdout) if parse else done.stdout

    return run


def wait_state(mistral, execution_id: str, states=("SUCCESS", "ERROR", "CANCELLED")) -> dict:
    deadline = time.monotonic() + WAIT
    while True:
        shown = mistral("execution-get", execution_id, "-f", "json")
        if shown["State"] in states:
            return shown
        assert time.monotonic() < deadline, f"execution {execution_id} still {shown['State']}"
        time.sleep(0.1)


def workbook_text(name: str) -> str:
    return f"""---
version: '2.0'
name: {name}
workflows:
  greet:
    input:
      - names
    output:
      lines: <% $.lines %>
    tasks:
      each:
        with-items: n in <% $.names %>
        action: std.echo output="hello <% $.n %>"
        publish:
          lines: <% task().result %>
        on-success: [done]
      done:
        action: std.noop
  divide:
    tasks:
      div:
        action: std.echo output=<% 10 / env().d %>
  wait:
    output:
      got: <% $.got %>
    tasks:
      hold:
        action: std.async_noop
        publish:
          got: <% task().result %>
"""


@pytest.fixture(scope="module")
def workbook(mistral, client, tmp_path_factory):
    name = "cli_" + uuid.uuid4().hex[:10]
    namespace = new_namespace()
    path = tmp_path_factory.mktemp("cli") / "workbook.yaml"
    path.write_text(workbook_text(name), encoding="utf-8")
    created = mistral("workbook-create", str(path), "--namespace", namespace, "-f", "json")
    assert created["Name"] == name
    assert created["Namespace"] == namespace
    yield name, namespace
    purge_namespace(client, namespace)


def test_workbook_execution_tasks_output(mistral, workbook):
    name, namespace = workbook
    started = mistral("execution-create", f"{name}.greet", json.dumps({"names": ["ann", "bob"]}),
                      "--namespace", namespace, "-d", "from the cli", "-f", "json")
    assert started["Workflow name"] == f"{name}.greet"
    assert started["Description"] == "from the cli"
    assert started["State"] in ("IDLE", "RUNNING")

    done = wait_state(mistral, started["ID"])
    assert done["State"] == "SUCCESS", done["State info"]

    tasks = mistral("task-list", started["ID"], "-f", "json")
    assert sorted((t["Name"], t["State"]) for t in tasks) == [("done", "SUCCESS"), ("each", "SUCCESS")]
    assert {t["Workflow Execution ID"] for t in tasks} == {started["ID"]}

    output = json.loads(mistral("execution-get-output", started["ID"], parse=False))
    assert output == {"lines": ["hello ann", "hello bob"]}


# (the next flows wait through the client: each `mistral` run costs ~0.5 s of start-up)

def test_rerun_a_failed_task(mistral, workbook, client):
    name, namespace = workbook
    started = mistral("execution-create", f"{name}.divide", "{}", json.dumps({"env": {"d": 0}}),
                      "--namespace", namespace, "-f", "json")
    assert wait_execution(client, started["ID"]).state == "ERROR"
    (task,) = mistral("task-list", started["ID"], "-f", "json")
    assert task["State"] == "ERROR"

    mistral("task-rerun", task["ID"], "--env", json.dumps({"d": 5}), "-f", "json")
    assert wait_execution(client, started["ID"]).state == "SUCCESS"
    assert json.loads(client.tasks.get(task["ID"]).result) == 2


def test_complete_an_async_action(mistral, workbook, client):
    name, namespace = workbook
    started = mistral("execution-create", f"{name}.wait", "--namespace", namespace, "-f", "json")
    task = wait_task(client, started["ID"], "hold", ("RUNNING",))
    (action,) = mistral("action-execution-list", task.id, "-f", "json")
    assert action["Name"] == "std.async_noop" and action["State"] == "RUNNING"

    mistral("action-execution-update", action["ID"], "--state", "SUCCESS",
            "--output", json.dumps({"v": 42}), "-f", "json")
    assert wait_execution(client, started["ID"]).state == "SUCCESS"
    output = json.loads(mistral("execution-get-output", started["ID"], parse=False))
    assert output == {"got": {"v": 42}}
