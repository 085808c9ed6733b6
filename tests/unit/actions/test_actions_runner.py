"""run_action: every failure comes back as Result(error=...), worded as Mistral words it."""

from __future__ import annotations

import time

import pytest

from sirocco.actions import Action, ActionContext, ActionError, ActionRegistry, Result, run_action


@pytest.fixture
def registry() -> ActionRegistry:
    reg = ActionRegistry()
    reg.register("t.boom", lambda ctx: 1 / 0)
    reg.register("t.refuse", lambda ctx: (_ for _ in ()).throw(ActionError("no thanks")))
    reg.register("t.tuple", lambda ctx: (1, (2, 3)))
    reg.register("t.intkeys", lambda ctx: {1: "a"})
    reg.register("t.set", lambda ctx: {1, 2})
    reg.register("t.nan", lambda ctx: float("nan"))
    reg.register("t.error_result", lambda ctx: Result(error={"code": 7}))
    reg.register("t.cancel", lambda ctx: Result(cancel=True))
    reg.register("t.slow", lambda ctx: time.sleep(0.08) or "late")
    reg.register("t.ctx", lambda ctx: [ctx.workflow_execution_id, ctx.task_execution_id, ctx.action_execution_id])
    reg.register("t.async_fail", lambda ctx: Result(error="refused"), is_sync=False)
    reg.register("t.async_raise", lambda ctx: 1 / 0, is_sync=False)

    class Picky(Action):
        def __init__(self, n: int) -> None:
            if n < 0:
                raise ActionError("n must not be negative")
            self.n = n

        def run(self, ctx):
            return self.n

    reg.register("t.picky", Picky)
    return reg


def test_exception_is_an_error_result(registry):
    result = run_action("t.boom", {}, ActionContext(action_execution_id="ae-1"), registry=registry)
    assert result.is_error()
    assert result.error == (
        "The action raised an exception [action=t.boom, action_ex_id=ae-1, msg='division by zero']"
    )


def test_action_error_is_an_error_result(registry):
    assert run_action("t.refuse", registry=registry).error == (
        "The action raised an exception [action=t.refuse, action_ex_id=None, msg='no thanks']"
    )


def test_error_while_building_the_action(registry):
    assert run_action("t.picky", {"n": -1}, registry=registry).error == "n must not be negative"
    assert run_action("t.picky", {"n": 2}, registry=registry).data == 2
    assert run_action("t.picky", {"n": "x"}, registry=registry).error.startswith("TypeError: '<' not supported")


def test_signature_errors_do_not_run_the_action(registry):
    error = run_action("t.picky", {}, registry=registry).error
    assert error.startswith("Invalid input [name=t.picky, class=") and error.endswith(".Picky, missing=['n']]")
    result = run_action("t.picky", {"n": 1, "m": 2}, registry=registry)
    assert "unexpected=['m']" in result.error


def test_results_are_plain_json(registry):
    assert run_action("t.tuple", registry=registry).data == [1, [2, 3]]
    assert run_action("t.intkeys", registry=registry).data == {"1": "a"}
    for name in ("t.set", "t.nan"):
        error = run_action(name, registry=registry).error
        assert error.startswith(f"Failed to complete action: its result is not JSON [action={name}")


def test_result_objects_pass_through(registry):
    assert run_action("t.error_result", registry=registry) == Result(error={"code": 7})
    cancelled = run_action("t.cancel", registry=registry)
    assert cancelled.is_cancel() and not cancelled.is_error() and not cancelled.is_success()
    assert Result(data=1).to_dict() == {"result": 1}
    assert Result(error="e").to_dict() == {"result": "e"}


def test_context_reaches_the_action(registry):
    ctx = ActionContext(workflow_execution_id="wf-1", task_execution_id="t-1", action_execution_id="a-1")
    assert run_action("t.ctx", {}, ctx, registry=registry).data == ["wf-1", "t-1", "a-1"]


def test_finishing_after_the_deadline_is_a_timeout(registry):
    late = run_action("t.slow", {}, ActionContext(action_execution_id="a", timeout=0.02), registry=registry)
    assert late.error == "The action raised an exception [action=t.slow, action_ex_id=a, msg='Timeout after 0.02 seconds']"
    assert run_action("t.slow", {}, ActionContext(timeout=5), registry=registry).data == "late"


def test_async_actions_report_only_errors(registry):
    assert run_action("t.async_fail", registry=registry) == Result(error="refused")
    assert "division by zero" in run_action("t.async_raise", registry=registry).error


def test_context_deadline_helpers():
    ctx = ActionContext(timeout=10)
    assert 9 < ctx.remaining() <= 10
    assert ctx.bound(None) <= 10 and ctx.bound(1) == 1
    assert not ctx.expired()
    free = ActionContext()
    assert free.remaining() is None and free.deadline is None and free.bound(3) == 3
    assert ActionContext(timeout=0).expired()


def test_input_must_be_a_mapping():
    assert run_action("std.echo", ["output"]).error == (
        "Action input must be a mapping of parameter names to values, got list"
    )


def test_context_travels_as_json():
    ctx = ActionContext(workflow_execution_id="w", action_execution_id="a", callback_url="http://cb", timeout=5)
    data = ctx.to_dict()
    assert "started" not in data and data["timeout"] == 5 and data["callback_url"] == "http://cb"
    again = ActionContext.from_dict({**data, "unknown": 1})
    assert again.to_dict() == data


def test_a_result_nested_beyond_json_s_reach_is_an_error_not_a_traceback():
    registry = ActionRegistry()

    def deep(ctx):
        value: list = []
        for _ in range(100_000):
            value = [value]
        return value

    registry.register("test.deep", deep)
    result = run_action("test.deep", {}, registry=registry)
    assert result.is_error()
    assert "not JSON" in result.error
