"""The console in a real headless Chromium: Debian's ``chromium`` (installed by
``.ci/run`` / ``make test`` where missing) driven by Playwright's python package
(a test extra; its wheel carries its driver, no browser is downloaded), against
one ``sirocco dev`` for this package. Screenshots go to ``test-artifacts/console/``.

A missing browser fails these tests: they are part of the default run and must
not pass by skipping."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from tests.integration.dev.devprocess import Dev, sirocco_dev

from .support import ARTIFACTS, TOKEN, TOKEN_PROJECT, upload

CHROMIUM = os.environ.get("SIROCCO_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# the flags this machine needs: no sandbox (root), and none of Chromium's own network calls
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
DEMO = Path(__file__).with_name("demo.yaml")


@pytest.fixture(scope="package")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dev]:
    log = tmp_path_factory.mktemp("console") / "sirocco-dev.log"
    try:
        # a key of a project of its own: no token acts for the default project (sirocco dev
        # without --auth), this token for its project, any other token is refused
        with sirocco_dev(log, SIROCCO_API_KEYS=f"{TOKEN}={TOKEN_PROJECT}") as handle:
            yield handle
    finally:
        if log.exists():
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shutil.copy(log, ARTIFACTS / "sirocco-dev.log")


@pytest.fixture(scope="package")
def console(dev: Dev) -> str:
    """The console's URL on the dev server."""
    return dev.api.rsplit("/v2", 1)[0] + "/console"


@pytest.fixture(scope="package")
def demo(dev: Dev) -> None:
    """console_demo and console_child (tests/console/demo.yaml), uploaded once."""
    upload(dev, DEMO.read_text(encoding="utf-8"))


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `apt-get install chromium` (.ci/run installs it), "
                    "or set SIROCCO_CHROMIUM", pytrace=False)
    from playwright.sync_api import expect, sync_playwright

    # what a state change may take on a loaded machine (waits end as soon as the page shows it)
    expect.set_options(timeout=30_000)

    with sync_playwright() as playwright:
        # Playwright gives every launch a fresh temporary profile (--user-data-dir)
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A new browser context (empty localStorage) and page; the test fails on any
    uncaught script error, and leaves a screenshot when it failed."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield tab
        assert not errors, f"script errors on the page: {errors}"
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=str(ARTIFACTS / f"failed-{request.node.name}.png"), full_page=True)
        context.close()


@pytest.fixture
def shot(page: Any) -> Callable[..., Path]:
    """Save a screenshot of the page as a test artifact."""
    def take(name: str, full_page: bool = True) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path
    return take


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
