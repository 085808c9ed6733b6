"""What a task runs: an action or a sub-workflow, its input, and the simple attributes."""

from lang_util import errors, one_error, workflow


def test_action_task():
    task = workflow(
        """
        version: '2.0'
        wf:
          tasks:
            t1:
              action: std.http
              description: fetch
              tags: [net]
              target: <% $.host %>
        """
    ).tasks["t1"]
    assert task.action == "std.http"
    assert task.workflow is None
    assert task.kind == "action"
    assert task.resolved_name == "std.http"
    assert task.description == "fetch"
    assert task.tags == ("net",)
    assert task.target == "<% $.host %>"
    assert task.keep_result is True
    assert task.safe_rerun is False
    assert task.line == 4


def test_workflow_task():
    task = workflow(
        """
        version: '2.0'
        wf:
          tasks:
            t1:
              workflow: sub a=1
        """
    ).tasks["t1"]
    assert (task.kind, task.workflow, task.action, task.resolved_name) == ("workflow", "sub", None, "sub")
    assert task.input == {"a": 1}


def test_task_without_action_or_workflow_runs_std_noop():
    # Mistral's TaskSpec falls back to 'std.noop'.
    task = workflow(
        """
        version: '2.0'
        wf:
          tasks:
            t1:
              description: placeholder
        """
    ).tasks["t1"]
    assert (task.action, task.resolved_name, task.kind) == ("std.noop", "std.noop", "action")


def test_action_and_workflow_together_is_refused():
    # Checked on the server: refused by the schema ('is valid under each of').
    error = one_error(
        """
        version: '2.0'
        wf:
          tasks:
            t1:
              action: std.noop
              workflow: wf2
        """
    )
    assert (error.task, error.attribute, error.line) == ("t1", "workflow", 6)
    assert "not both" in error.message


def test_input_mapping_and_inline_params_merge_inline_wins():
    # Checked on the server by running it: `std.echo output=1` with input {output: 2} echoes 1.
    task = workflow(
        """
        version: '2.0'
        wf:
          tasks:
            t1:
              action: std.echo output=1 extra="x"
              input:
                output: 2
                nested: {a: <% $.a %>}
        """
    ).tasks["t1"]
    assert task.input == {"output": 1, "nested": {"a": "<% $.a %>"}, "extra": "x"}


def test_input_may_be_one_expression():
    task = workflow(
        """
        version: '2.0'
        wf:
          tasks:
            t1:
              action: std.echo
              input: <% $.params %>
        """
    ).tasks["t1"]
    assert task.input == "<% $.params %>"


def test_input_expression_with_inline_params_is_refused():
    # Mistral 23 crashes (HTTP 500) on this combination; refuse it with a message.
    error = one_error(
        """
        version: '2.0'
        wf:
          tasks:
            t1:
              action: std.echo output=1
              input: <% $.x %>
        """
    )
    assert (error.attribute, error.line) == ("input", 6)


def test_input_must_be_mapping_or_expression():
    found = errors(
        """
        version: '2.0'
        wf:
          tasks:
            t1:
              action: std.echo
              input: hello
            t2:
              action: std.echo
              input: {}
        """
    )
    assert [(e.task, e.attribute) for e in found] == [("t1", "input"), ("t2", "input")]


def test_action_name_may_be_an_expression():
    # Checked on the server: accepted; Mistral evaluates the name at run time.
    task = workflow(
        """
        version: '2.0'
        wf:
          tasks:
            t1:
              action: <% $.action_name %> p=1
        """
    ).tasks["t1"]
    assert task.action == "<% $.action_name %>"
    assert task.resolved_name == "<% $.action_name %>"
    assert task.input == {"p": 1}


def test_unknown_task_attribute_is_refused_and_named():
    # Checked on the server: "Additional properties are not allowed ('foo' was unexpected)".
    error = one_error(
        """
        version: '2.0'
        wf:
          tasks:
            t1:
              action: std.noop
              foo: 1
        """
    )
    assert (error.workflow, error.task, error.attribute, error.line) == ("wf", "t1", "foo", 6)
    assert "unknown task attribute" in error.message


def test_action_must_be_text():
    found = errors(
        """
        version: '2.0'
        wf:
          tasks:
            t1:
              action: 5
            t2:
              action: [std.noop]
        """
    )
    assert [(e.task, e.attribute) for e in found] == [("t1", "action"), ("t2", "action")]


def test_keep_result_safe_rerun_and_target():
    # Checked on the server: booleans and expressions are both accepted.
    task = workflow(
        """
        version: '2.0'
        wf:
          tasks:
            t1:
              action: std.noop
              keep-result: false
              safe-rerun: <% $.rerun %>
        """
    ).tasks["t1"]
    assert task.keep_result is False
    assert task.safe_rerun == "<% $.rerun %>"


def test_keep_result_must_be_boolean_or_expression():
    error = one_error(
        """
        version: '2.0'
        wf:
          tasks:
            t1:
              action: std.noop
              keep-result: sometimes
        """
    )
    assert error.attribute == "keep-result" and "'sometimes'" in error.message


def test_task_with_hyphenated_name():
    # Checked on the server: accepted.
    spec = workflow("version: '2.0'\nwf:\n  tasks:\n    my-task: {action: std.noop}\n")
    assert list(spec.tasks) == ["my-task"]


def test_every_task_problem_is_reported():
    found = errors(
        """
        version: '2.0'
        wf:
          tasks:
            t1:
              action: std.noop
              foo: 1
            t2:
              action: std.noop
              bar: 2
              timeout: -1
        """
    )
    assert [(e.task, e.attribute, e.line) for e in found] == [
        ("t1", "foo", 6),
        ("t2", "bar", 9),
        ("t2", "timeout", 10),
    ]
