"""Ad-hoc action list documents."""

import pytest
from lang_util import doc, errors, one_error, parse_actions

from sirocco.language import InputParam


def test_action_attributes():
    # Checked on the server: valid.
    (action,) = parse_actions(
        doc(
            """
            version: '2.0'
            greet:
              description: says hi
              tags: [a]
              base: std.echo output="Hello <% $.name %>" extra=1
              base-input:
                output: other
                keep: <% $.greeting %>
              input:
                - name
                - greeting: hi
              output: <% $ %>
            """
        )
    )
    assert action.name == action.short_name == "greet"
    assert action.base == "std.echo"
    # inline parameters of base win over base-input, as in Mistral
    assert action.base_input == {"output": "Hello <% $.name %>", "extra": 1, "keep": "<% $.greeting %>"}
    assert action.input == (InputParam("name"), InputParam("greeting", "hi", False))
    assert action.input_names == ("name", "greeting")
    assert action.output == "<% $ %>"
    assert (action.description, action.tags, action.line, action.workbook) == ("says hi", ("a",), 2, None)


def test_output_may_be_any_data_and_its_expressions_are_checked():
    # Deliberate: Mistral 23 checks expressions only in a string output (this one passes there).
    error = one_error(
        """
        version: '2.0'
        a1:
          base: std.echo output=1
          output:
            x: <% $.y + %>
        """,
        parse_actions,
    )
    assert (error.action, error.attribute, error.line) == ("a1", "output", 5)


@pytest.mark.parametrize(
    "body, attribute",
    [
        ("input: [a]", None),  # checked on the server: 'base' is a required property
        ("base: std.echo\n  foo: 1", "foo"),  # checked on the server: refused
        ("base: std.echo output=<% $. %>", "base"),  # checked on the server: YAQL parse error
        ("base: std.echo output=bare", "base"),
        ("base: 5", "base"),
        ("base: std.echo\n  base-input: {}", "base-input"),
        ("base: std.echo\n  input: [a, a]", "input"),
        ("base: std.echo\n  tags: tag", "tags"),
    ],
)
def test_malformed_actions(body, attribute):
    found = errors(f"version: '2.0'\na1:\n  {body}\n", parse_actions)
    assert all(e.action == "a1" for e in found)
    assert any(e.attribute == attribute for e in found), [str(e) for e in found]


def test_action_list_needs_version():
    # Checked on the server: 'version' is a required property.
    error = one_error("greet:\n  base: std.echo output=1\n", parse_actions)
    assert error.attribute == "version"


def test_action_body_must_be_a_mapping():
    error = one_error("version: '2.0'\na1: std.echo\n", parse_actions)
    assert (error.action, error.line) == ("a1", 2)
