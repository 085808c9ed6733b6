"""Steering an execution from its page: pause, resume and cancel; completing an
asynchronous action by hand; and an API error shown to the user."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from playwright.sync_api import expect

from tests.integration.dev.devprocess import Dev

from .support import section, start, upload, wait_state

ASYNC = """\
version: '2.0'
console_async:
  tasks:
    wait:
      action: std.async_noop
      on-success: [after]
    after:
      action: std.echo output=<% task(wait).result %>
      publish:
        got: <% task().result %>
"""


@pytest.fixture(scope="module")
def async_workflow(dev: Dev) -> str:
    upload(dev, ASYNC)
    return "console_async"


def node(page: Any, name: str) -> Any:
    return page.locator(f'g.node[data-task="{name}"]')


def test_pause_resume_then_complete_the_async_action(dev: Dev, async_workflow: str, console: str, page: Any,
                                                      shot: Callable[[str], Any]) -> None:
    execution_id = start(dev, async_workflow)
    page.goto(f"{console}#/executions/{execution_id}")
    badge = page.locator("h1 .badge")
    expect(node(page, "wait")).to_have_attribute("data-state", "RUNNING")
    expect(node(page, "after")).to_have_attribute("data-state", "")  # not run yet

    page.get_by_role("button", name="Pause", exact=True).click()
    expect(badge).to_have_text("PAUSED")
    expect(page.get_by_role("button", name="Pause", exact=True)).to_be_disabled()
    page.get_by_role("button", name="Resume", exact=True).click()
    expect(badge).to_have_text("RUNNING")

    node(page, "wait").click()
    run = page.locator('#task-panel .action-run[data-state="RUNNING"]')
    run.get_by_label("final state").select_option("SUCCESS")
    run.get_by_label("action output").fill('{"ok": 1}')
    shot("complete-async-action")
    run.get_by_role("button", name="Complete action", exact=True).click()

    expect(badge).to_have_text("SUCCESS")
    expect(node(page, "after")).to_have_attribute("data-state", "SUCCESS")
    node(page, "after").click()
    expect(page.locator("#task-panel")).to_have_attribute("data-task", "after")
    expect(section(page.locator("#task-panel"), "Published")).to_contain_text('"ok": 1')


def test_cancel_asks_first(dev: Dev, async_workflow: str, console: str, page: Any) -> None:
    execution_id = start(dev, async_workflow)
    page.goto(f"{console}#/executions/{execution_id}")
    expect(node(page, "wait")).to_have_attribute("data-state", "RUNNING")
    page.get_by_role("button", name="Cancel", exact=True).click()
    page.get_by_role("button", name="Keep running", exact=True).click()
    expect(page.locator("h1 .badge")).to_have_text("RUNNING")
    page.get_by_role("button", name="Cancel", exact=True).click()
    page.get_by_role("button", name="Yes, cancel", exact=True).click()
    expect(page.locator("h1 .badge")).to_have_text("CANCELLED")
    assert wait_state(dev, execution_id)["state"] == "CANCELLED"
    expect(page.get_by_role("button", name="Cancel", exact=True)).to_be_disabled()


def test_api_errors_are_shown(dev: Dev, async_workflow: str, console: str, page: Any) -> None:
    page.goto(f"{console}#/executions/no-such-execution")
    expect(page.locator(".api-error")).to_contain_text(
        "GET /executions/no-such-execution: 404 WorkflowExecution not found [id=no-such-execution]")

    # an answer the API refuses: completing with output that is not an object
    execution_id = start(dev, async_workflow)
    page.goto(f"{console}#/executions/{execution_id}")
    node(page, "wait").click()
    run = page.locator('#task-panel .action-run[data-state="RUNNING"]')
    run.get_by_label("action output").fill("[1, 2]")
    run.get_by_role("button", name="Complete action", exact=True).click()
    expect(page.locator(".api-error").last).to_contain_text("400 JsonType field value must be a dictionary")
    expect(node(page, "wait")).to_have_attribute("data-state", "RUNNING")


BIG = """\
version: '2.0'
console_big:
  input: [rows]
  tasks:
    load:
      action: std.echo output=<% $.rows %>
"""


def test_large_values_start_collapsed(dev: Dev, console: str, page: Any) -> None:
    upload(dev, BIG)
    execution_id = start(dev, "console_big", {"rows": [f"row-{n:04}" for n in range(300)]})
    assert wait_state(dev, execution_id)["state"] == "SUCCESS"
    page.goto(f"{console}#/executions/{execution_id}")
    page.locator('g.node[data-task="load"]').click()
    result = section(page.locator("#task-panel"), "Result")
    summary = result.locator("details.j-node > summary").first
    expect(summary).to_have_text("[ 300 items, 3.2 KB ]")
    expect(result.get_by_text('"row-0299"')).to_be_hidden()
    summary.click()
    expect(result.get_by_text('"row-0299"')).to_be_visible()


ITEMS = """\
version: '2.0'
console_items:
  tasks:
    each:
      with-items: x in [1, 2, 3]
      action: std.async_noop
"""


def test_with_items_progress_as_items_complete(dev: Dev, console: str, page: Any) -> None:
    upload(dev, ITEMS)
    execution_id = start(dev, "console_items")
    page.goto(f"{console}#/executions/{execution_id}")
    status = node(page, "each").locator(".status")
    expect(status).to_have_text("RUNNING · 0/3 items")
    node(page, "each").click()
    runs = page.locator('#task-panel .action-run[data-state="RUNNING"]')
    expect(runs).to_have_count(3)
    for done in (1, 2, 3):
        runs.first.get_by_role("button", name="Complete action", exact=True).click()
        expect(runs).to_have_count(3 - done)
        if done < 3:
            expect(status).to_have_text(f"RUNNING · {done}/3 items")
    expect(status).to_have_text("SUCCESS · 3/3 items")
    expect(page.locator("h1 .badge")).to_have_text("SUCCESS")
