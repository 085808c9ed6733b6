"""with-items: one or several `var in <source>` clauses, concurrency."""

import pytest
from lang_util import errors, one_error, workflow

from sirocco.language import WithItem


def items(value: str):
    return workflow(f"version: '2.0'\nwf:\n  tasks:\n    t1:\n      action: std.noop\n      with-items: {value}\n").tasks["t1"].with_items


def test_single_expression():
    assert items("x in <% $.xs %>") == (WithItem("x", "<% $.xs %>"),)


def test_jinja_source():
    assert items("'x in {{ _.xs }}'") == (WithItem("x", "{{ _.xs }}"),)


def test_several_clauses_and_literal_list():
    # Checked on the server: a literal list and an expression together are accepted.
    assert items("['x in [1, 2, 3]', 'y in <% $.ys %>']") == (
        WithItem("x", [1, 2, 3]),
        WithItem("y", "<% $.ys %>"),
    )


def test_concurrency_with_items():
    task = workflow(
        """
        version: '2.0'
        wf:
          tasks:
            t1:
              action: std.echo output=<% $.x %>
              with-items: x in <% $.xs %>
              concurrency: 4
        """
    ).tasks["t1"]
    assert task.concurrency == 4


@pytest.mark.parametrize(
    "value, fragment",
    [
        ("x of <% $.y %>", "malformed"),  # checked on the server: refused
        ("x in $.y", "expression or a JSON list"),  # checked on the server: refused
        ("x in [a, b]", "not a valid JSON list"),  # checked on the server: "Invalid array"
        ("'x in <% $.y %> and more'", "expression or a JSON list"),  # deliberate: Mistral ignores the tail
        ("[]", "non-empty list"),
        ("{x: [1]}", "non-empty list"),
        ("[5]", "must be a string"),
        ("['x in [1]', 'x in [2]']", "used twice"),
        ("x in <% $.y + %>", "YAQL"),
        ("in <% $.y %>", "malformed"),
    ],
)
def test_malformed_with_items(value, fragment):
    found = errors(f"version: '2.0'\nwf:\n  tasks:\n    t1:\n      action: std.noop\n      with-items: {value}\n")
    assert all(e.attribute == "with-items" and e.task == "t1" for e in found)
    assert any(fragment in e.message for e in found), [str(e) for e in found]


def test_list_entry_errors_point_at_their_line():
    error = one_error(
        """
        version: '2.0'
        wf:
          tasks:
            t1:
              action: std.noop
              with-items:
                - x in <% $.xs %>
                - y on <% $.ys %>
        """
    )
    assert error.line == 8


def test_with_items_unpack_as_pairs():
    ((var, source),) = items("x in <% $.xs %>")
    assert (var, source) == ("x", "<% $.xs %>")
