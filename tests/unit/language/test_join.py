"""join: all / one / N, and the inbound tasks it waits for."""

import pytest
from lang_util import one_error, workflow

FAN_IN = """
version: '2.0'
wf:
  tasks:
    a:
      action: std.noop
      on-success: [b, c]
    b:
      action: std.noop
      on-success: d
    c:
      action: std.noop
      on-error: d
    d:
      join: {join}
      action: std.noop
"""


@pytest.mark.parametrize("value, expected", [("all", "all"), ("one", "one"), ("2", 2), ("1", 1)])
def test_join_values(value, expected):
    spec = workflow(FAN_IN.format(join=value))
    assert spec.tasks["d"].join == expected
    assert spec.inbound["d"] == ("b", "c")
    assert spec.tasks["a"].join is None


def test_join_zero_means_no_join():
    # Checked on the server: `join: 0` is accepted; Mistral treats it as no join.
    assert workflow(FAN_IN.format(join="0")).tasks["d"].join is None


def test_join_needing_more_inbound_tasks_than_exist_is_refused():
    # Checked on the server: "Not enough inbound tasks for task with 'join'".
    error = one_error(FAN_IN.format(join="3"))
    assert (error.task, error.attribute, error.line) == ("d", "join", 14)
    assert "3" in error.message and "2" in error.message


def test_join_all_without_inbound_is_refused():
    error = one_error("version: '2.0'\nwf:\n  tasks:\n    t1: {action: std.noop, join: all}\n")
    assert (error.task, error.attribute) == ("t1", "join")


@pytest.mark.parametrize("value", ["<% 1 %>", "-1", "some", "true", "[all]"])
def test_bad_join_values(value):
    # Checked on the server: an expression is refused for join.
    error = one_error(FAN_IN.format(join=value))
    assert (error.task, error.attribute) == ("d", "join")


def test_join_counts_transitions_inherited_from_task_defaults():
    spec = workflow(
        """
        version: '2.0'
        wf:
          task-defaults:
            on-complete: [report]
          tasks:
            a: {action: std.noop}
            b: {action: std.noop}
            report:
              join: 2
              action: std.noop
        """
    )
    assert spec.inbound["report"] == ("a", "b")
    assert spec.start_tasks == ("a", "b")
