"""State machines as data, and refusing a bad start before an execution exists."""

import pytest

from sirocco.engine import IllegalTransition, StartRefused, check_start
from sirocco.engine import states

from .harness import catalog

WF = """
version: '2.0'
direct:
  input: [a, {b: "<% 1 + 1 %>"}]
  vars: {next: <% $.a + 1 %>}
  tasks:
    t: {action: std.noop}
rev:
  type: reverse
  tasks:
    t: {action: std.noop}
"""


def test_illegal_transitions_raise():
    assert states.check_task(states.RUNNING, states.SUCCESS) == states.SUCCESS
    with pytest.raises(IllegalTransition):
        states.check_task(states.SKIPPED, states.RUNNING)
    with pytest.raises(IllegalTransition):
        states.check_workflow(states.SUCCESS, states.RUNNING)


def test_input_defaults_are_not_evaluated():
    assert check_start(catalog("workflow", WF), "direct", {"a": 1}) == {"a": 1, "b": "<% 1 + 1 %>"}


@pytest.mark.parametrize("workflow, input, params, message", [
    ("direct", {}, {}, r"missing=\['a'\]"),
    ("direct", {"a": 1, "zzz": 2}, {}, r"unexpected=\['zzz'\]"),
    ("direct", {"a": "x"}, {}, "Can not evaluate YAQL"),
    ("rev", {}, {}, "Invalid task name"),
    ("rev", {}, {"task_name": "nope"}, "Invalid task name"),
    ("nope", {}, {}, "Workflow not found"),
])
def test_bad_starts_are_refused(workflow, input, params, message):
    with pytest.raises(StartRefused, match=message):
        check_start(catalog("workflow", WF), workflow, input, params)
