"""End-to-end tests: the real python-mistralclient (and the `mistral` command) against a
Mistral REST API v2.

By default one `sirocco dev` is started for the session (free port, embedded emulator) and
the tests talk to its `/v2`. With ``SIROCCO_E2E_URL`` set they talk to that URL instead, e.g.
real Mistral 23.0.0 served by ../shared/oracle on http://127.0.0.1:8990/v2: the same tests then
prove that what they assert is Mistral's behaviour.

Markers (registered here, applied per test):
- ``sirocco_only(reason)``: Sirocco deliberately differs from Mistral 23 (docs/language.md,
  docs/shell.md) or the oracle cannot do it (it runs no event engine); skipped against Mistral.
- ``mistral_only(reason)``: asserts a Mistral behaviour Sirocco deliberately does not copy;
  skipped against Sirocco.
The target is Mistral when the server's ``GET /`` answers with ``Server: mistral_api``;
``SIROCCO_E2E_TARGET=mistral|sirocco`` overrides that.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from mistralclient.api import client as mistral_client

from .support import new_namespace, purge_namespace

ROOT = Path(__file__).resolve().parents[2]
API = re.compile(r"sirocco dev: API (http://127\.0\.0\.1:\d+/v2)")
READY = re.compile(r"ready in ([0-9.]+) s")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sirocco_only(reason): deliberate difference from Mistral 23; "
                                       "skipped against Mistral")
    config.addinivalue_line("markers", "mistral_only(reason): Mistral behaviour Sirocco deliberately "
                                       "does not copy; skipped against Sirocco")


@functools.lru_cache(maxsize=None)
def target_kind() -> str:
    """'mistral' or 'sirocco': what the tests talk to."""
    forced = os.environ.get("SIROCCO_E2E_TARGET")
    if forced:
        return forced
    url = os.environ.get("SIROCCO_E2E_URL")
    if not url:
        return "sirocco"
    root = url.rstrip("/").rsplit("/v2", 1)[0] + "/"
    try:
        server = requests.get(root, timeout=10).headers.get("Server", "")
    except requests.RequestException:
        return "sirocco"
    return "mistral" if "mistral" in server.lower() else "sirocco"


def pytest_runtest_setup(item: pytest.Item) -> None:
    kind = target_kind()
    for marker in item.iter_markers("sirocco_only"):
        if kind == "mistral":
            pytest.skip("Sirocco only: " + (marker.args[0] if marker.args else ""))
    for marker in item.iter_markers("mistral_only"):
        if kind == "sirocco":
            pytest.skip("Mistral only: " + (marker.args[0] if marker.args else ""))


class DevServer:
    def __init__(self, process: subprocess.Popen[str], log: Path) -> None:
        self.process, self.log = process, log
        self.url = ""

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="session")
def api_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The `/v2` URL the tests talk to: SIROCCO_E2E_URL, or one `sirocco dev` for the session."""
    external = os.environ.get("SIROCCO_E2E_URL")
    if external:
        yield external.rstrip("/")
        return
    log = tmp_path_factory.mktemp("e2e") / "sirocco-dev.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SIROCCO_"))}
    env["SIROCCO_LOG_LEVEL"] = "WARNING"
    with open(log, "w", encoding="utf-8") as out:
        # --port 0: any free port (the banner names it); --retry-delay 1: a batch a handler
        # failed comes back in a second, not after the engine queue's visibility timeout
        process = subprocess.Popen([sys.executable, "-m", "sirocco.cli", "dev", "--port", "0",
                                    "--retry-delay", "1"],
                                   cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
    dev = DevServer(process, log)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            text = dev.output()
            found = API.search(text)
            if found and READY.search(text):
                dev.url = found.group(1)
                break
            assert process.poll() is None, f"sirocco dev exited:\n{text}"
            time.sleep(0.05)
        else:
            raise AssertionError(f"sirocco dev not ready in 30 s:\n{dev.output()}")
        yield dev.url
    finally:
        if process.poll() is None:
            # nothing of it outlives the process (in-memory emulator): no grace period needed
            process.kill()
            process.wait(10)


@pytest.fixture(scope="session")
def client(api_url: str) -> Any:
    """python-mistralclient's v2 client, no authentication."""
    return mistral_client.client(mistral_url=api_url)


@pytest.fixture(scope="session")
def target() -> str:
    return target_kind()


@pytest.fixture
def ns(client: Any) -> Iterator[str]:
    """A namespace of this test's own, so that tests never see each other's definitions;
    emptied afterwards."""
    namespace = new_namespace()
    yield namespace
    purge_namespace(client, namespace)
