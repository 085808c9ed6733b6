"""python-mistralclient with ``auth_token=`` (sent as X-Auth-Token) against
`sirocco dev --auth`: the token names the project, a missing or unknown one is
refused, and a second project's token does not see the first's execution."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from mistralclient.api import client as mistral_client
from mistralclient.api.base import APIException

from .conftest import PROJECT_A, PROJECT_B, TOKEN_A, TOKEN_B

ROOT = Path(__file__).resolve().parents[3]
API = re.compile(r"sirocco dev: API (http://127\.0\.0\.1:\d+/v2)")
WORKFLOW = "version: '2.0'\nhello:\n  tasks:\n    t:\n      action: std.noop\n"


@pytest.fixture(scope="module")
def api_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One `sirocco dev --auth` with two projects' keys."""
    log = tmp_path_factory.mktemp("auth") / "sirocco-dev.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SIROCCO_"))}
    env.update(SIROCCO_LOG_LEVEL="WARNING", SIROCCO_API_KEYS=f"{TOKEN_A}={PROJECT_A},{TOKEN_B}={PROJECT_B}")
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen([sys.executable, "-m", "sirocco.cli", "dev", "--port", "0", "--auth"],
                                   cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            text = log.read_text(encoding="utf-8")
            found = API.search(text)
            if found and "ready in" in text:
                yield found.group(1)
                break
            assert process.poll() is None, f"sirocco dev exited:\n{text}"
            time.sleep(0.05)
        else:
            raise AssertionError(f"sirocco dev not ready in 60 s:\n{log.read_text(encoding='utf-8')}")
    finally:
        process.kill()
        process.wait(10)


def _client(url: str, token: str | None) -> Any:
    return mistral_client.client(mistral_url=url, auth_token=token) if token else mistral_client.client(
        mistral_url=url)


def test_without_a_token_the_client_is_refused(api_url: str) -> None:
    with pytest.raises(APIException) as refused:
        _client(api_url, None).workflows.list()
    assert refused.value.error_code == 401
    with pytest.raises(APIException) as unknown:
        _client(api_url, "not-a-key").executions.list()
    assert unknown.value.error_code == 401


def test_a_second_projects_token_does_not_see_the_first_projects_execution(api_url: str) -> None:
    alice, bob = _client(api_url, TOKEN_A), _client(api_url, TOKEN_B)
    namespace = f"ns{os.getpid()}{time.monotonic_ns()}"
    alice.workflows.create(WORKFLOW, namespace=namespace)
    execution = alice.executions.create("hello", namespace=namespace)
    assert alice.executions.get(execution.id).project_id == PROJECT_A
    with pytest.raises(APIException) as hidden:
        bob.executions.get(execution.id)
    assert hidden.value.error_code == 404
    assert execution.id not in {e.id for e in bob.executions.list()}
    with pytest.raises(APIException):
        bob.workflows.get("hello", namespace=namespace)
