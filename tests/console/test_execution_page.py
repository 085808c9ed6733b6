"""Issue 9's acceptance: an execution with a join and a failing branch, seen and
repaired from the console (tests/console/demo.yaml: ``right`` fails while
``env().fail_right`` is true, so a rerun with that env set false succeeds)."""

from __future__ import annotations

import time
from typing import Any, Callable

from playwright.sync_api import expect

from tests.integration.dev.devprocess import Dev

from .support import section, start, wait_state

TASKS = {"start", "left", "right", "each", "child", "report", "merge"}


def node(page: Any, name: str) -> Any:
    return page.locator(f'g.node[data-task="{name}"]')


def states(page: Any) -> dict[str, str]:
    return page.eval_on_selector_all("g.node", "els => Object.fromEntries(els.map(e => [e.dataset.task, e.dataset.state]))")


def test_failed_join_shown_then_rerun_from_the_page(dev: Dev, demo: None, console: str, page: Any,
                                                     shot: Callable[[str], Any]) -> None:
    execution_id = start(dev, "console_demo", env={"fail_right": True})
    assert wait_state(dev, execution_id)["state"] == "ERROR"

    page.goto(f"{console}#/executions/{execution_id}")
    expect(page.locator("h1 .badge")).to_have_text("ERROR")
    expect(node(page, "merge")).to_have_attribute("data-state", "ERROR")
    assert states(page) == {"start": "SUCCESS", "left": "SUCCESS", "right": "ERROR", "each": "SUCCESS",
                            "child": "SUCCESS", "report": "SUCCESS", "merge": "ERROR"}
    # the picture: the join, the with-items progress, the retry, the kinds of transitions
    expect(node(page, "merge").locator(".marker-join")).to_have_text("⋈ join all")
    expect(node(page, "each").locator(".marker-items")).to_have_text("≡ with-items")
    expect(node(page, "each").locator(".status")).to_contain_text("3/3 items")
    expect(node(page, "right").locator(".status")).to_contain_text("retry 1")
    expect(page.locator('g.edge.on-error[data-source="t:right"][data-target="t:report"]')).to_have_count(1)
    expect(page.locator('g.edge.on-complete[data-source="t:each"][data-target="t:child"]')).to_have_count(1)
    expect(page.locator('g.edge.on-success[data-target="t:merge"]')).to_have_count(2)

    # what it cost, sub-execution included, as the API's cost report says
    status, report = dev.call("GET", f"/executions/{execution_id}/cost")
    assert status == 200 and report["metered"], report
    whole = report["including_sub_executions"]
    expect(page.locator("dd.cost")).to_contain_text(f"${whole['cost']['total']:.7f}")
    expect(page.locator("dd.cost")).to_contain_text(
        f"${whole['cost']['per_million_steps']:.2f} per million steps (Step Functions Standard: $25.00)")

    # a task's result and published variables
    node(page, "left").click()
    panel = page.locator("#task-panel")
    expect(panel).to_have_attribute("data-task", "left")
    expect(section(panel, "Result")).to_contain_text('"left done"')
    expect(section(panel, "Published")).to_contain_text('"left": "left done"')

    # the failed one: why, how often, and the rerun
    node(page, "right").click()
    expect(panel).to_have_attribute("data-task", "right")
    expect(panel).to_contain_text("Failed by 'fail-on' policy")
    expect(panel.locator("dt:text-is('Retries') + dd")).to_have_text("1")
    shot("execution-error", full_page=False)  # docs/images/console-execution.png is this one
    panel.get_by_label("rerun env").fill('{"fail_right": false}')
    panel.get_by_role("button", name="Rerun task", exact=True).click()

    expect(page.locator("h1 .badge")).to_have_text("SUCCESS")
    expect(node(page, "merge")).to_have_attribute("data-state", "SUCCESS")
    assert states(page) == dict.fromkeys(TASKS, "SUCCESS")
    expect(page.locator(".execution-data")).to_contain_text("left done and right done")
    node(page, "merge").click()
    expect(section(panel, "Result")).to_contain_text('"left done and right done"')
    shot("execution-rerun")


def test_sub_workflow_opens_as_its_own_graph_with_breadcrumbs(dev: Dev, demo: None, console: str, page: Any) -> None:
    execution_id = start(dev, "console_demo", env={"fail_right": False})
    assert wait_state(dev, execution_id)["state"] == "SUCCESS"

    page.goto(f"{console}#/executions/{execution_id}")
    node(page, "child").click()
    panel = page.locator("#task-panel")
    expect(panel).to_have_attribute("data-task", "child")
    panel.locator(".children a").click()

    expect(page.locator("h1")).to_contain_text("console_child")
    expect(node(page, "say")).to_have_attribute("data-state", "SUCCESS")
    crumbs = page.locator(".crumbs")
    expect(crumbs).to_contain_text("console_demo (child) › console_child")
    crumbs.get_by_role("link", name="console_demo").click()

    expect(page.locator("h1")).to_contain_text("console_demo")
    expect(panel).to_have_attribute("data-task", "child")  # back on the task it came from
    assert page.url.endswith(f"#/executions/{execution_id}?task=child")


def test_the_cost_line_shows_on_the_first_render(dev: Dev, demo: None, console: str, page: Any) -> None:
    """With the page's timers stopped, only the first refresh renders: the cost it read with
    the report is on it even when the cost answers after the report (it was left for the
    next refresh, 10 s later for an ended execution)."""
    execution_id = start(dev, "console_child", wf_input={"who": "ann"})
    assert wait_state(dev, execution_id)["state"] == "SUCCESS"

    def cost_after_the_report(route: Any) -> None:
        answer = route.fetch()
        time.sleep(1.0)  # the report's answer comes first
        route.fulfill(response=answer)

    page.route("**/cost", cost_after_the_report)
    page.clock.install()
    page.clock.pause_at(time.time() + 3600)  # no timer fires: no second refresh
    page.goto(f"{console}#/executions/{execution_id}")
    expect(page.locator("h1 .badge")).to_have_text("SUCCESS")
    status, report = dev.call("GET", f"/executions/{execution_id}/cost")
    assert status == 200 and report["metered"], report
    expect(page.locator("dd.cost")).to_contain_text(" per million steps (Step Functions Standard: $25.00)")
