"""Inline parameters of `action:` / `workflow:` (and the parser underneath)."""

import pytest
from lang_util import errors, one_error, workflow

from sirocco.language import parse_workflows
from sirocco.language.inline import parse_inline


def task_input(action: str):
    text = "version: '2.0'\nwf:\n  tasks:\n    t1:\n      action: " + action + "\n"
    (spec,) = parse_workflows(text)
    return spec.tasks["t1"].input


def test_value_kinds():
    parsed = parse_inline(
        """std.http url="http://x/?a=1 b" method='GET' body=<% $.b %> tpl={{ _.t }} """
        """flag=true off=false none=null n=3 f=2.5 neg=-1 list=[1, "a b", [2]] obj={"k": [1, 2]}"""
    )
    assert parsed.problems == ()
    assert parsed.command == "std.http"
    assert parsed.params == {
        "url": "http://x/?a=1 b",
        "method": "GET",
        "body": "<% $.b %>",
        "tpl": "{{ _.t }}",
        "flag": True,
        "off": False,
        "none": None,
        "n": 3,
        "f": 2.5,
        "neg": -1,
        "list": [1, "a b", [2]],
        "obj": {"k": [1, 2]},
    }


def test_name_alone_has_no_params():
    assert parse_inline("std.noop") == parse_inline("  std.noop  ")
    assert parse_inline("std.noop").params == {}


def test_hyphenated_parameter_names():
    assert parse_inline("std.x my-param=1 other_one=2").params == {"my-param": 1, "other_one": 2}


def test_quoted_values_keep_their_text():
    # As in Mistral: no escape processing, no JSON decoding inside quotes.
    assert parse_inline("""std.echo output="[1, 2]" a='x "y"'""").params == {"output": "[1, 2]", "a": 'x "y"'}


def test_bare_word_is_refused_with_a_hint():
    # Mistral silently drops `output=hello` and the task then fails at run time
    # (documented in ../shared/oracle/README.md); here it is refused.
    error = one_error(
        """
        version: '2.0'
        wf:
          tasks:
            t1:
              action: std.echo output=hello
        """
    )
    assert (error.task, error.attribute, error.line) == ("t1", "action", 5)
    assert "'output'" in error.message and "quote" in error.message


def test_float_is_kept_whole():
    # Deliberate: Mistral 23 reads `output=3.5` as 3 (checked by running it).
    assert task_input("std.echo output=3.5") == {"output": 3.5}


def test_lists_are_parsed_to_their_closing_bracket():
    # Deliberate: Mistral 23 reads `output=[1, 2] x=[3]` as the string "[1, 2] x=[3]"
    # (checked by running it); here both lists are read.
    assert task_input("std.echo output=[1, 2] x=[3]") == {"output": [1, 2], "x": [3]}


def test_json_object_is_accepted():
    # Deliberate: Mistral 23 silently drops `output={"a": 1}` (checked by running it).
    assert task_input("""'std.echo output={"a": 1}'""") == {"output": {"a": 1}}


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("std.echo output=[a, b]", "not valid JSON"),
        ("std.echo output=", "has no value"),
        ('std.echo output="abc', "never closed"),
        ("std.echo output=<% $.a", "never closed"),
        ("std.echo hello output=1", "unexpected text 'hello'"),
        ('std.echo output="a"b', "unexpected text 'b'"),
        ("std.echo a=1 a=2", "given twice"),
        ("std.echo a={% if x %}y{% endif %}", "must be quoted"),
        ("std.echo x=[1, 2", "never closed"),
    ],
)
def test_malformed_params(text, fragment):
    problems = parse_inline(text).problems
    assert any(fragment in p for p in problems), problems


def test_invalid_expression_in_param_names_the_param():
    error = one_error(
        """
        version: '2.0'
        wf:
          tasks:
            t1:
              action: std.echo output=<% $.x + %>
        """
    )
    assert error.attribute == "action"
    assert error.message.startswith("output:") and "YAQL" in error.message


def test_invalid_command_name():
    assert parse_inline('"quoted" a=1').problems


def test_quoted_param_values_are_still_checked_for_expressions():
    error = one_error(
        """
        version: '2.0'
        wf:
          tasks:
            t1:
              action: std.echo output="<% $.x + %>"
        """
    )
    assert "YAQL" in error.message


def test_workflow_inline_params():
    task = workflow(
        """
        version: '2.0'
        wf:
          tasks:
            t1:
              workflow: child n=<% $.n %> names=["a"]
        """
    ).tasks["t1"]
    assert task.input == {"n": "<% $.n %>", "names": ["a"]}


def test_all_bad_params_are_reported():
    found = errors(
        """
        version: '2.0'
        wf:
          tasks:
            t1:
              action: std.echo a=hello b=world
        """
    )
    assert len(found) == 2
