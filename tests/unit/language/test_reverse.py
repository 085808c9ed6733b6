"""Reverse workflows: requires, and what they may not use."""

from lang_util import errors, one_error, workflow


def test_requires_string_and_list():
    spec = workflow(
        """
        version: '2.0'
        wf:
          type: reverse
          tasks:
            fetch:
              action: std.noop
            parse:
              action: std.noop
              requires: fetch
            report:
              action: std.noop
              requires: [fetch, parse]
        """
    )
    assert spec.type == "reverse"
    assert spec.tasks["parse"].requires == ("fetch",)
    assert spec.tasks["report"].requires == ("fetch", "parse")
    assert dict(spec.requires) == {"fetch": (), "parse": ("fetch",), "report": ("fetch", "parse")}
    assert spec.start_tasks == () and spec.tasks["report"].join is None


def test_requires_from_task_defaults_excluding_the_task_itself():
    # Mistral (get_task_requires) unions the defaults and discards the task's own name.
    spec = workflow(
        """
        version: '2.0'
        wf:
          type: reverse
          task-defaults:
            requires: [setup]
          tasks:
            setup:
              action: std.noop
            work:
              action: std.noop
              requires: [prepare]
            prepare:
              action: std.noop
        """
    )
    assert spec.tasks["setup"].requires == ()
    assert spec.tasks["work"].requires == ("prepare", "setup")
    assert spec.tasks["prepare"].requires == ("setup",)


def test_missing_required_task():
    # Checked on the server (a direct-workflow link error reads "Task '...' not found.").
    error = one_error(
        """
        version: '2.0'
        wf:
          type: reverse
          tasks:
            t1:
              action: std.noop
              requires: [t0]
        """
    )
    assert (error.task, error.attribute, error.line) == ("t1", "requires", 7)
    assert "'t0' does not exist" in error.message


def test_requires_cannot_name_an_engine_command():
    error = one_error("version: '2.0'\nwf:\n  type: reverse\n  tasks:\n    t1: {action: std.noop, requires: fail}\n")
    assert "does not exist" in error.message


def test_requires_on_itself_is_refused():
    error = one_error("version: '2.0'\nwf:\n  type: reverse\n  tasks:\n    t1: {action: std.noop, requires: t1}\n")
    assert "itself" in error.message


def test_join_and_transitions_are_refused_in_reverse():
    # Checked on the server: join is refused ("'join' was unexpected"); on-* likewise.
    found = errors(
        """
        version: '2.0'
        wf:
          type: reverse
          tasks:
            t1:
              action: std.noop
              join: all
              on-success: t2
            t2:
              action: std.noop
        """
    )
    assert [(e.attribute, e.line) for e in found] == [("join", 7), ("on-success", 8)]
    assert all("direct" in e.message for e in found)


def test_requires_is_refused_in_direct():
    # Checked on the server: "'requires' was unexpected".
    error = one_error("version: '2.0'\nwf:\n  tasks:\n    t1: {action: std.noop, requires: t1}\n")
    assert error.attribute == "requires" and "reverse" in error.message


def test_transitions_in_reverse_task_defaults_are_refused():
    # Deliberate: Mistral accepts and ignores them (checked on the server).
    error = one_error(
        """
        version: '2.0'
        wf:
          type: reverse
          task-defaults:
            on-error: t1
          tasks:
            t1:
              action: std.noop
        """
    )
    assert error.attribute == "task-defaults.on-error"


def test_malformed_requires():
    found = errors("version: '2.0'\nwf:\n  type: reverse\n  tasks:\n    t1: {action: std.noop, requires: [a, a, 3]}\n    a: {action: std.noop}\n")
    assert len(found) == 2 and all(e.attribute == "requires" for e in found)


def test_a_requires_cycle_is_refused():
    # Mistral 23 accepts this and runs no task at all; a cycle is always a mistake.
    error = one_error(
        """
        version: '2.0'
        wf:
          type: reverse
          tasks:
            build:
              requires: [test]
            test:
              requires: [package]
            package:
              requires: [build]
            docs: {action: std.noop}
        """
    )
    assert error.task == "build" and error.attribute == "requires" and error.line == 6
    assert "build -> test -> package -> build" in error.message


def test_shared_requirements_are_not_a_cycle():
    wf = workflow(
        """
        version: '2.0'
        wf:
          type: reverse
          tasks:
            base: {action: std.noop}
            left: {requires: [base]}
            right: {requires: [base]}
            top: {requires: [left, right]}
        """
    )
    assert wf.requires["top"] == ("left", "right")
