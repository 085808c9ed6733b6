"""Policies: retry, wait-before, wait-after, timeout, pause-before, concurrency, fail-on."""

import textwrap

import pytest
from lang_util import errors, one_error, workflow

from sirocco.language import RetrySpec


def task(body: str):
    text = "version: '2.0'\nwf:\n  tasks:\n    t1:\n      action: std.noop\n" + "".join(
        f"      {line}\n" for line in textwrap.dedent(body).strip().splitlines()
    )
    return workflow(text).tasks["t1"]


def test_unset_policies_are_none():
    t = task("description: x")
    assert (t.retry, t.wait_before, t.wait_after, t.timeout, t.pause_before, t.concurrency, t.fail_on) == (
        None, None, None, None, None, None, None,
    )


def test_plain_values():
    t = task(
        """
        wait-before: 1
        wait-after: 2
        timeout: 30
        pause-before: true
        concurrency: 3
        fail-on: false
        """
    )
    assert (t.wait_before, t.wait_after, t.timeout, t.pause_before, t.concurrency, t.fail_on) == (1, 2, 30, True, 3, False)


def test_every_policy_may_be_an_expression():
    t = task(
        """
        wait-before: <% $.a %>
        wait-after: "{{ _.b }}"
        timeout: <% $.c %>
        pause-before: <% $.d %>
        concurrency: <% $.e %>
        fail-on: <% $.f %>
        """
    )
    assert t.wait_before == "<% $.a %>" and t.wait_after == "{{ _.b }}" and t.fail_on == "<% $.f %>"


def test_retry_mapping():
    t = task(
        """
        retry:
          count: 5
          delay: <% $.delay %>
          break-on: <% $.stop %>
          continue-on: <% $.go %>
        """
    )
    assert t.retry == RetrySpec(5, "<% $.delay %>", "<% $.stop %>", "<% $.go %>")


def test_retry_one_line_form():
    # Checked on the server: accepted.
    t = task("retry: count=<% $.x %> delay=1 break-on=<% $.y %>")
    assert t.retry == RetrySpec("<% $.x %>", 1, "<% $.y %>", None)


@pytest.mark.parametrize(
    "retry, fragment",
    [
        ("retry: count=3", "'delay' is required"),  # checked on the server: refused
        ("retry: {count: 3}", "'delay' is required"),  # checked on the server: refused
        ("retry: count=3 delay=1 foo=2", "unknown retry parameter"),  # checked on the server: refused
        ("retry: {count: 3, delay: 1, foo: 2}", "unknown attribute"),  # checked on the server: refused
        ("retry: {count: -1, delay: 1}", "non-negative"),
        ("retry: {count: 3, delay: soon}", "non-negative"),
        ("retry: {count: 3, delay: 1, break-on: x}", "must be an expression"),  # checked on the server
        ("retry: [3, 1]", "must be a mapping"),
        ("retry: count=3 delay=hello", "unquoted value"),
    ],
)
def test_malformed_retry(retry, fragment):
    found = errors("version: '2.0'\nwf:\n  tasks:\n    t1:\n      action: std.noop\n      " + retry + "\n")
    assert all(e.attribute.startswith("retry") for e in found)
    assert any(fragment in e.message for e in found), [str(e) for e in found]


@pytest.mark.parametrize(
    "line",
    [
        "wait-before: abc",  # checked on the server: refused
        "wait-before: <% $.x %> sec",  # checked on the server: refused, not one whole expression
        "timeout: 1.5",  # checked on the server: refused
        "concurrency: -1",  # checked on the server: refused
        "wait-after: true",
        "pause-before: 'yes please'",
        "fail-on: 1",
        "timeout: [1]",
    ],
)
def test_bad_policy_values(line):
    error = one_error("version: '2.0'\nwf:\n  tasks:\n    t1:\n      action: std.noop\n      " + line + "\n")
    assert (error.task, error.attribute, error.line) == ("t1", line.split(":")[0], 6)


def test_invalid_expression_in_policy():
    error = one_error("version: '2.0'\nwf:\n  tasks:\n    t1:\n      action: std.noop\n      timeout: <% $.x + %>\n")
    assert error.attribute == "timeout" and "YAQL" in error.message


def test_retry_nested_error_names_the_sub_attribute_and_line():
    error = one_error(
        """
        version: '2.0'
        wf:
          tasks:
            t1:
              action: std.noop
              retry:
                count: 3
                delay: lots
        """
    )
    assert (error.attribute, error.line) == ("retry.delay", 8)
