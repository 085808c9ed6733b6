"""Error reporting: YAML problems, lines, collection of every error, message format."""

import pytest
from lang_util import doc, errors, one_error, workflow

from sirocco.language import SpecError, ValidationFailed, parse_workflows


def test_invalid_yaml_names_the_line():
    # Checked on the server: refused ("Definition could not be parsed").
    error = one_error(
        """
        version: '2.0'
        wf:
          tasks:
            t1:
              action: std.echo output={"a": 1}
        """
    )
    assert error.line == 5 and error.message.startswith("invalid YAML")


@pytest.mark.parametrize("text, fragment", [("", "empty"), ("- a\n- b\n", "a list"), ("hello\n", "'hello'"), ("42", "42")])
def test_document_must_be_a_mapping(text, fragment):
    error = one_error(text)
    assert fragment in error.message and "mapping" in error.message


def test_duplicate_keys_are_reported_with_both_lines():
    # Deliberate: Mistral 23 silently keeps the last task (checked on the server).
    error = one_error(
        """
        version: '2.0'
        wf:
          tasks:
            t1:
              action: std.noop
            t1:
              action: std.echo output=1
        """
    )
    assert error.line == 6 and "first at line 4" in error.message


def test_all_errors_are_collected_in_line_order():
    found = errors(
        """
        version: '2.0'
        wf1:
          tasks:
            t1:
              action: std.noop
              on-success: nowhere
              timeout: never
        wf2:
          bogus: 1
          tasks:
            t1:
              action: std.echo output=<% $.x + %>
        """
    )
    assert [(e.workflow, e.task, e.attribute, e.line) for e in found] == [
        ("wf1", "t1", "on-success", 6),
        ("wf1", "t1", "timeout", 7),
        ("wf2", None, "bogus", 9),
        ("wf2", "t1", "action", 12),
    ]


def test_validation_failed_message_has_one_error_per_line():
    with pytest.raises(ValidationFailed) as info:
        parse_workflows("version: '2.0'\nwf:\n  tasks:\n    t1: {action: std.noop, timeout: x, wait-after: y}\n")
    assert str(info.value).splitlines() == [str(e) for e in info.value.errors]
    assert len(info.value.errors) == 2


def test_spec_error_format():
    assert str(SpecError("boom")) == "boom"
    assert str(SpecError("boom", line=3)) == "line 3: boom"
    assert str(SpecError("boom", workflow="w", task="t", attribute="a", line=1)) == "line 1: workflow 'w', task 't', a: boom"
    assert str(SpecError("boom", workbook="b", action="a")) == "workbook 'b', action 'a': boom"


def test_yaml_aliases_are_refused():
    # Deliberate: Mistral accepts this (checked on the server) and reads *alias as plain text.
    error = one_error(
        """
        version: '2.0'
        wf:
          vars:
            a: &shared {x: 1}
            b: *shared
          tasks:
            t1: {action: std.noop}
        """
    )
    assert error.line == 5 and "aliases" in error.message


@pytest.mark.parametrize("value", ["!!python/object:os.system x", "!custom 1", "!!binary aGk=", "!!set {a}"])
def test_unsupported_tags_are_refused(value):
    error = one_error(f"version: '2.0'\nwf:\n  vars:\n    a: {value}\n  tasks:\n    t1: {{action: std.noop}}\n")
    assert "tag" in error.message


def test_merge_keys_are_refused():
    error = one_error("version: '2.0'\nwf:\n  vars:\n    <<: {a: 1}\n    b: 2\n  tasks:\n    t1: {action: std.noop}\n")
    assert "merge" in error.message


def test_dates_stay_text():
    spec = workflow("version: '2.0'\nwf:\n  vars:\n    day: 2024-01-31\n  tasks:\n    t1: {action: std.noop}\n")
    assert spec.vars == {"day": "2024-01-31"}


def test_at_sign_may_start_a_plain_value():
    # Mistral's loader allows it (users write `to: @team`); YAML itself reserves '@'.
    spec = workflow("version: '2.0'\nwf:\n  vars:\n    to: @team\n  tasks:\n    t1: {action: std.noop}\n")
    assert spec.vars == {"to": "@team"}


def test_bytes_are_read_as_utf8():
    (spec,) = parse_workflows("version: '2.0'\nwf:\n  description: café\n  tasks: {t: {action: std.noop}}\n".encode())
    assert spec.description == "café"


def test_expressions_are_checked_everywhere():
    # Deliberate: Mistral 23 does not check input defaults (checked on the server) nor nested values.
    found = errors(
        """
        version: '2.0'
        wf:
          input:
            - a: <% 1 + %>
          vars:
            deep: {list: [1, {x: "{{ 1 + }}"}]}
          output:
            o: <% $.x ) %>
          output-on-error:
            e: <% ( %>
          tasks:
            t1:
              action: std.noop
              target: <% + %>
              with-items: x in ["<% + %>"]
              on-success:
                - fail msg=<% + %>
        """
    )
    assert [e.attribute for e in found] == [
        "input", "vars", "output", "output-on-error", "target", "with-items", "on-success",
    ]
    assert found[1].message.startswith("deep.list[1].x: invalid Jinja2")


def test_mixing_yaql_and_jinja_in_one_string_is_refused():
    # Checked on the server: "Mixing expression types in a single line is not allowed."
    error = one_error("version: '2.0'\nwf:\n  output:\n    a: <% 1 %> {{ 2 }}\n  tasks:\n    t1: {action: std.noop}\n")
    assert (error.attribute, error.line) == ("output", 4)
    assert "YAQL" in error.message and "Jinja" in error.message


def test_jinja_statements_are_accepted():
    # Checked on the server: valid.
    t = workflow(
        """
        version: '2.0'
        wf:
          tasks:
            t1:
              action: std.noop
              publish:
                a: "{% if true %}x{% endif %}"
        """
    ).tasks["t1"]
    assert t.publish.branch == {"a": "{% if true %}x{% endif %}"}


def test_descriptions_are_not_expressions():
    spec = workflow("version: '2.0'\nwf:\n  description: 'use <% like this'\n  tasks:\n    t1: {action: std.noop}\n")
    assert spec.description == "use <% like this"


def test_non_string_names_are_refused():
    found = errors("version: '2.0'\n1: {tasks: {t: {action: std.noop}}}\nwf:\n  tasks:\n    2: {action: std.noop}\n")
    assert [e.line for e in found] == [2, 5]


def test_doc_helper_keeps_line_one_for_version():
    assert doc("\n    version: '2.0'\n").startswith("version")


def test_validation_failed_survives_pickling():
    import pickle

    with pytest.raises(ValidationFailed) as info:
        parse_workflows("version: '2.0'\nwf:\n  tasks:\n    t1: {action: std.noop, timeout: x}\n")
    copy = pickle.loads(pickle.dumps(info.value))
    assert copy.errors == info.value.errors and str(copy) == str(info.value)


def test_specs_survive_pickling():
    import pickle

    spec = workflow("version: '2.0'\nwf:\n  tasks:\n    t1: {action: std.noop, on-success: t2}\n    t2: {action: std.noop}\n")
    copy = pickle.loads(pickle.dumps(spec))
    assert copy == spec and copy.inbound["t2"] == ("t1",)
    with pytest.raises(TypeError):
        copy.tasks["t3"] = None
