"""task-defaults: which attributes are allowed and how they fold into every task."""

import pytest
from lang_util import errors, one_error, workflow

from sirocco.language import RetrySpec


def test_policies_fill_in_where_the_task_has_none():
    spec = workflow(
        """
        version: '2.0'
        wf:
          task-defaults:
            retry: count=2 delay=1
            timeout: 60
            wait-before: 5
            concurrency: 2
            safe-rerun: true
          tasks:
            plain:
              action: std.noop
            own:
              action: std.noop
              retry: {count: 9, delay: 9}
              timeout: 10
              safe-rerun: false
        """
    )
    plain, own = spec.tasks["plain"], spec.tasks["own"]
    assert (plain.retry, plain.timeout, plain.wait_before, plain.concurrency, plain.safe_rerun) == (
        RetrySpec(2, 1), 60, 5, 2, True,
    )
    assert (own.retry, own.timeout, own.wait_before, own.safe_rerun) == (RetrySpec(9, 9), 10, 5, False)
    assert spec.task_defaults is not None and spec.task_defaults.timeout == 60


def test_a_zero_policy_does_not_switch_a_default_off():
    # Mistral's engine (policies.construct_policies_list) falls back to the default
    # whenever the task's own policy is inactive (0 / false).
    t = workflow(
        """
        version: '2.0'
        wf:
          task-defaults:
            wait-before: 5
            pause-before: true
          tasks:
            t1:
              action: std.noop
              wait-before: 0
              pause-before: false
        """
    ).tasks["t1"]
    assert (t.wait_before, t.pause_before) == (5, True)


def test_transitions_apply_when_the_task_has_none_of_that_kind():
    spec = workflow(
        """
        version: '2.0'
        wf:
          task-defaults:
            on-error:
              - handle
            on-complete: [log]
          tasks:
            a:
              action: std.noop
              on-success: b
            b:
              action: std.noop
              on-error: b_cleanup
            b_cleanup:
              action: std.noop
            handle:
              action: std.noop
            log:
              action: std.noop
        """
    )
    a, b, handle, log = (spec.tasks[n] for n in ("a", "b", "handle", "log"))
    assert [t.target for t in a.on_error] == ["handle"]
    assert [t.target for t in b.on_error] == ["b_cleanup"]  # the task's own clause wins whole
    assert handle.on_error == ()  # a default transition to the task itself is dropped
    assert [t.target for t in handle.on_complete] == ["log"]
    assert log.on_complete == ()
    assert spec.start_tasks == ("a",)
    assert spec.inbound["handle"] == ("a", "b_cleanup", "log")  # not b: its own on-error wins


def test_own_clause_with_only_publish_still_inherits_next():
    # Mistral (get_on_*_clause) falls back to task-defaults when the task's own clause has no `next`.
    t = workflow(
        """
        version: '2.0'
        wf:
          task-defaults:
            on-success: [done]
          tasks:
            t1:
              action: std.noop
              on-success:
                publish:
                  branch: {x: 1}
            done:
              action: std.noop
        """
    ).tasks["t1"]
    assert [x.target for x in t.on_success] == ["done"]
    assert t.publish is not None and t.publish.branch == {"x": 1}


def test_publish_in_a_default_clause_is_not_inherited():
    # Checked on the server: accepted. Mistral never uses it (get_publish reads the task's own clauses).
    spec = workflow(
        """
        version: '2.0'
        wf:
          task-defaults:
            on-error:
              publish:
                branch: {a: 1}
              next: [h]
          tasks:
            t1:
              action: std.noop
            h:
              action: std.noop
        """
    )
    t1 = spec.tasks["t1"]
    assert [x.target for x in t1.on_error] == ["h"]
    assert t1.publish_on_error is None


@pytest.mark.parametrize("attribute", ["join: all", "keep-result: false", "publish: {a: 1}", "action: std.noop", "target: x"])
def test_attributes_not_allowed_in_task_defaults(attribute):
    # Checked on the server for join and keep-result: "Additional properties are not allowed".
    error = one_error(f"version: '2.0'\nwf:\n  task-defaults:\n    {attribute}\n  tasks:\n    t1: {{action: std.noop}}\n")
    assert error.attribute == "task-defaults." + attribute.split(":")[0]
    assert error.line == 4 and error.task is None


def test_default_transition_to_a_missing_task():
    error = one_error(
        """
        version: '2.0'
        wf:
          task-defaults:
            on-error: nowhere
          tasks:
            t1: {action: std.noop}
        """
    )
    assert (error.attribute, error.line, error.task) == ("task-defaults.on-error", 4, None)


def test_requires_in_direct_task_defaults_is_refused():
    # Deliberate: Mistral accepts and ignores it.
    error = one_error("version: '2.0'\nwf:\n  task-defaults:\n    requires: [t1]\n  tasks:\n    t1: {action: std.noop}\n")
    assert error.attribute == "task-defaults.requires" and "reverse" in error.message


def test_task_defaults_values_are_checked():
    found = errors(
        """
        version: '2.0'
        wf:
          task-defaults:
            timeout: soon
            retry: {count: 1}
            safe-rerun: maybe
          tasks:
            t1: {action: std.noop}
        """
    )
    assert [e.attribute for e in found] == ["task-defaults.timeout", "task-defaults.retry", "task-defaults.safe-rerun"]


@pytest.mark.parametrize("value", ["{}", "[]", "5"])
def test_task_defaults_must_be_a_mapping(value):
    error = one_error(f"version: '2.0'\nwf:\n  task-defaults: {value}\n  tasks:\n    t1: {{action: std.noop}}\n")
    assert error.attribute == "task-defaults"
