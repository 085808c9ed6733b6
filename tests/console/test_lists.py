"""The workflow list (search), a workflow's definition beside its graph, and the
execution list (filters, marker paging, auto-refresh); the token the user sets
goes with every API call."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from playwright.sync_api import expect

from tests.integration.dev.devprocess import Dev

from .support import TOKEN, start, upload, wait_state

PAGED = """\
version: '2.0'
console_paged:
  input: [n]
  tasks:
    only:
      action: std.echo output=<% $.n %>
"""


@pytest.fixture(scope="module")
def paged(dev: Dev) -> list[str]:
    """Three ended executions of console_paged, oldest first."""
    upload(dev, PAGED)
    ids = [start(dev, "console_paged", {"n": n}) for n in range(3)]
    for execution_id in ids:
        wait_state(dev, execution_id)
    return ids


def test_workflow_search_definition_and_graph(dev: Dev, demo: None, console: str, page: Any,
                                              shot: Callable[[str], Any]) -> None:
    page.goto(f"{console}#/workflows")
    rows = page.locator("#workflows tbody tr")
    expect(rows.filter(has_text="console_child")).to_have_count(1)
    page.get_by_label("Search workflows").fill("demo")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("console_demo")
    assert page.url.endswith("#/workflows?q=demo")  # a reload keeps the search
    rows.get_by_role("link", name="console_demo").click()

    expect(page.locator("h1")).to_contain_text("console_demo")
    definition = page.locator(".definition")
    expect(definition.locator(".y-key", has_text="with-items")).to_have_count(1)
    expect(definition.locator(".y-expr", has_text="<% env().fail_right %>")).to_have_count(1)
    graph = page.locator(".graph-pane")
    expect(graph.locator("g.node")).to_have_count(7)
    expect(graph.locator("g.edge.on-success")).to_have_count(5)
    expect(graph.locator("g.edge.on-error")).to_have_count(1)
    expect(graph.locator("g.edge.on-complete")).to_have_count(1)
    expect(graph.locator('g.node[data-task="merge"] .marker-join')).to_have_count(1)
    expect(graph.locator('g.node[data-task="each"] .marker-items')).to_have_count(1)
    expect(graph.locator('g.node[data-task="right"] .status')).to_have_text("retry ×1")
    expect(graph.locator('g.node[data-task="child"] .subtitle')).to_have_text("↳ workflow console_child")
    # a task picked in the graph is picked in the definition
    graph.locator('g.node[data-task="merge"]').click()
    expect(definition.locator(".y-line.picked").first).to_contain_text("merge:")
    shot("workflow")


def test_start_from_the_workflow_page(dev: Dev, demo: None, console: str, page: Any) -> None:
    page.goto(f"{console}#/workflows/console_demo")
    page.get_by_text("Start an execution").click()
    page.get_by_label("execution input").fill('{"names": ["zed"]}')
    page.get_by_label("execution env").fill('{"fail_right": false}')
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.locator("h1 .badge")).to_have_text("SUCCESS")
    expect(page.locator('g.node[data-task="each"] .status')).to_contain_text("1/1 items")


def test_execution_filters_and_paging(dev: Dev, paged: list[str], console: str, page: Any,
                                      shot: Callable[[str], Any]) -> None:
    # the API's order: newest first (one second's executions by id, as Mistral)
    status, listed = dev.call("GET", "/executions?workflow_name=console_paged&sort_keys=created_at&sort_dirs=desc")
    order = [execution["id"] for execution in listed["executions"]]
    assert status == 200 and sorted(order) == sorted(paged)

    page.goto(f"{console}#/executions?workflow=console_paged&limit=2")
    rows = page.locator("#executions tbody tr")
    shown = lambda: rows.evaluate_all("rs => rs.map(r => r.dataset.execution)")  # noqa: E731
    # two a page; "Older" pages with Mistral's marker
    expect(rows).to_have_count(2)
    assert shown() == order[:2]
    page.get_by_role("button", name="Older ›").click()
    expect(rows).to_have_count(1)
    assert shown() == order[2:]
    expect(page.get_by_role("button", name="Older ›")).to_be_disabled()
    page.get_by_role("button", name="‹ Newer").click()
    expect(rows).to_have_count(2)
    assert shown() == order[:2]

    page.locator("#filter-state").select_option("ERROR")
    expect(rows).to_have_text(["No executions match."])
    page.locator("#filter-state").select_option("SUCCESS")
    expect(rows).to_have_count(2)
    # a time range after they all ended selects none of them
    page.locator("#filter-from").fill("2999-01-01T00:00:00")
    page.locator("#filter-from").dispatch_event("change")
    expect(rows).to_have_text(["No executions match."])
    page.locator("#filter-from").fill("")
    page.locator("#filter-from").dispatch_event("change")
    expect(rows).to_have_count(2)
    shot("executions")

    # auto-refresh: a new execution shows up without a reload
    page.goto(f"{console}#/executions?workflow=console_paged")
    expect(rows).to_have_count(3)
    newest = start(dev, "console_paged", {"n": 3})
    expect(rows).to_have_count(4)
    expect(rows.filter(has_text=newest)).to_have_count(1)


def test_the_token_set_in_the_page_is_the_api_token(dev: Dev, console: str, page: Any) -> None:
    upload(dev, PAGED.replace("console_paged", "console_private"), token=TOKEN)
    sent: list[str | None] = []
    page.on("request", lambda request: sent.append(request.headers.get("x-auth-token"))
            if "/v2/" in request.url else None)
    rows = page.locator("#workflows tbody tr")
    page.goto(f"{console}#/workflows")
    expect(rows.first).to_be_visible()
    expect(rows.filter(has_text="console_private")).to_have_count(0)  # the default project's list

    page.get_by_role("button", name="Auth token").click()
    page.get_by_label("X-Auth-Token").fill(TOKEN)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("button", name="Auth token ✓")).to_be_visible()
    expect(rows.filter(has_text="console_private")).to_have_count(1)  # the token's project
    assert sent[0] is None and sent[-1] == TOKEN

    page.get_by_role("button", name="Auth token ✓").click()
    page.get_by_label("X-Auth-Token").fill("not-a-key")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".api-error")).to_contain_text("401")
    expect(page.locator(".api-error")).to_contain_text("(is the auth token set?)")


REVERSE = """\
version: '2.0'
console_reverse:
  type: reverse
  tasks:
    fetch: {action: std.noop}
    parse: {action: std.noop, requires: [fetch]}
    index: {action: std.noop, requires: [fetch]}
    publish: {action: std.noop, requires: [parse, index]}
"""


def test_reverse_workflow_started_for_one_task(dev: Dev, console: str, page: Any) -> None:
    upload(dev, REVERSE)
    page.goto(f"{console}#/workflows/console_reverse")
    expect(page.locator("g.edge.on-requires")).to_have_count(4)
    page.get_by_text("Start an execution").click()
    page.get_by_label("target task").fill("parse")
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.locator("h1 .badge")).to_have_text("SUCCESS")
    states = page.eval_on_selector_all("g.node", "els => Object.fromEntries(els.map(e => [e.dataset.task, e.dataset.state]))")
    assert states == {"fetch": "SUCCESS", "parse": "SUCCESS", "index": "", "publish": ""}
    expect(page.locator('g.node[data-task="publish"] .status')).to_have_text("not run")
