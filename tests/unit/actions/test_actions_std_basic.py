"""std.noop, std.async_noop, std.echo, std.fail, std.sleep, std.test_dict: results as Mistral 23.0.0's
(checked with `mistral run-action` against the real server)."""

from __future__ import annotations

import time

import pytest

from sirocco.actions import ActionContext, Result, run_action


def test_noop_returns_null():
    assert run_action("std.noop") == Result(data=None)
    assert "unexpected=['x']" in run_action("std.noop", {"x": 1}).error


def test_async_noop_stays_running():
    assert run_action("std.async_noop", {}) is None


@pytest.mark.parametrize("output", [1, "text", None, [1, {"a": [2]}], {"k": True}])
def test_echo_returns_its_output(output):
    assert run_action("std.echo", {"output": output}) == Result(data=output)


def test_echo_waits_for_its_delay():
    started = time.monotonic()
    assert run_action("std.echo", {"output": "x", "delay": 0.2}).data == "x"
    assert time.monotonic() - started >= 0.2


@pytest.mark.parametrize("delay", ["abc", -5, "-1"])
def test_echo_bad_or_negative_delay_counts_as_zero(delay):
    started = time.monotonic()
    assert run_action("std.echo", {"output": [1], "delay": delay}).data == [1]
    assert time.monotonic() - started < 0.1


def test_echo_delay_is_cut_at_the_deadline():
    started = time.monotonic()
    result = run_action("std.echo", {"output": 1, "delay": 30}, ActionContext(timeout=0.1, action_execution_id="a"))
    assert time.monotonic() - started < 1
    assert result.error == "The action raised an exception [action=std.echo, action_ex_id=a, msg='Timeout after 0.1 seconds']"


def test_fail_without_data_raises_mistrals_message():
    result = run_action("std.fail", {}, ActionContext(action_execution_id="ae"))
    assert result.error == (
        "The action raised an exception [action=Fail action, action_ex_id=ae, msg='Fail action expected exception.']"
    )


@pytest.mark.parametrize("data", [{"a": 1}, "boom", [0], 3])
def test_fail_with_error_data_returns_it_as_the_error(data):
    assert run_action("std.fail", {"error_data": data}) == Result(error=data)


@pytest.mark.parametrize("falsy", [0, "", {}, [], False, None])
def test_fail_with_falsy_error_data_raises(falsy):
    # Mistral tests `if error_data:`; std.fail error_data=0 fails with the exception message.
    assert "Fail action expected exception." in run_action("std.fail", {"error_data": falsy}).error


def test_sleep_sleeps_whole_seconds():
    started = time.monotonic()
    assert run_action("std.sleep", {"seconds": 0}) == Result(data=None)
    assert run_action("std.sleep", {"seconds": 0.9}) == Result(data=None)  # int(0.9) == 0, as Mistral
    assert run_action("std.sleep", {"seconds": "1.5"}) == Result(data=None)  # not an int: 0
    assert run_action("std.sleep", {"seconds": -3}) == Result(data=None)
    assert time.monotonic() - started < 0.5


@pytest.mark.parametrize("input", [{}, {"seconds": "1"}, {"seconds": 1.7}])
def test_sleep_of_one_second_is_cut_at_the_deadline(input):
    # The default is 1 s and "1" / 1.7 parse to 1: all are longer than a 0.05 s deadline.
    started = time.monotonic()
    result = run_action("std.sleep", input, ActionContext(timeout=0.05))
    assert "Timeout after 0.05 seconds" in result.error
    assert 0.05 <= time.monotonic() - started < 0.5


def test_sleep_without_a_number_fails_like_mistral():
    assert run_action("std.sleep", {"seconds": None}).error.startswith("TypeError: int() argument must be")


def test_test_dict():
    assert run_action("std.test_dict", {}) == Result(data={})
    assert run_action("std.test_dict", {"size": 3, "key_prefix": "k", "val": 7}).data == {"k0": 7, "k1": 7, "k2": 7}
    assert run_action("std.test_dict", {"size": 2}).data == {"0": "", "1": ""}
    assert len(run_action("std.test_dict", {"size": 10_000, "val": {"a": 1}}).data) == 10_000


def test_test_dict_bad_size():
    assert "cannot be interpreted as an integer" in run_action("std.test_dict", {"size": "x"}).error
    assert "size must be at most" in run_action("std.test_dict", {"size": 10**9}).error


def test_only_pure_instant_actions_may_run_inside_the_engine():
    from sirocco.actions import default_registry as reg

    assert reg.runs_inline("std.noop", {})
    assert reg.runs_inline("std.fail", {"error_data": "x"})
    assert reg.runs_inline("std.echo", {"output": 1})
    assert reg.runs_inline("std.echo", {"output": 1, "delay": 0})
    assert not reg.runs_inline("std.echo", {"output": 1, "delay": 2})  # a wait holds an executor
    for name in ("std.async_noop", "std.sleep", "std.http", "std.ssh", "no.such.action"):
        assert not reg.runs_inline(name, {})
    assert not reg.runs_inline("std.noop", None)


def test_an_asynchronous_action_never_runs_inside_the_engine():
    from sirocco.actions import default_registry
    from sirocco.actions.std_basic import NoOp

    class Later(NoOp):  # inherits runs_inline, but its result comes from outside
        is_sync = False

    reg = default_registry.copy()
    reg.register("test.later", Later)
    reg.register("test.later_too", NoOp, is_sync=False)
    assert not reg.runs_inline("test.later", {})
    assert not reg.runs_inline("test.later_too", {})
