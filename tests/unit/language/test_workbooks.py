"""Workbooks: members, full names and short-name resolution."""

import pytest
from lang_util import doc, errors, one_error, parse_workbook

WORKBOOK = """
version: '2.0'
name: billing
description: monthly billing
tags: [money]
actions:
  greet:
    base: std.echo output="hi <% $.name %>"
    input: [name]
workflows:
  main:
    tasks:
      t1:
        action: greet name="bob"
        on-success: t2
      t2:
        workflow: sub
        on-success: t3
      t3:
        action: std.noop
      t4:
        workflow: other.flow
  sub:
    tasks:
      s1:
        action: std.noop
"""


def test_workbook_members_and_resolution():
    # Checked on the server: this workbook (with a quoted inline value) is valid.
    wb = parse_workbook(doc(WORKBOOK))
    assert (wb.name, wb.description, wb.tags) == ("billing", "monthly billing", ("money",))
    assert [w.name for w in wb.workflows] == ["billing.main", "billing.sub"]
    assert [w.short_name for w in wb.workflows] == ["main", "sub"]
    assert all(w.workbook == "billing" for w in wb.workflows)
    assert [a.name for a in wb.actions] == ["billing.greet"]
    tasks = wb.workflows[0].tasks
    assert (tasks["t1"].action, tasks["t1"].resolved_name) == ("greet", "billing.greet")
    assert (tasks["t2"].workflow, tasks["t2"].resolved_name) == ("sub", "billing.sub")
    assert tasks["t3"].resolved_name == "std.noop"  # not a member: looked up globally
    assert tasks["t4"].resolved_name == "other.flow"


def test_errors_name_the_workbook_and_member():
    error = one_error(
        """
        version: '2.0'
        name: wb
        workflows:
          main:
            tasks:
              t1:
                action: std.noop
                on-success: nope
        """,
        parse_workbook,
    )
    assert (error.workbook, error.workflow, error.task, error.line) == ("wb", "main", "t1", 8)
    assert str(error).startswith("line 8: workbook 'wb', workflow 'main', task 't1', on-success:")


def test_action_errors_name_the_action():
    error = one_error(
        """
        version: '2.0'
        name: wb
        actions:
          a1:
            base: std.echo output=oops
        """,
        parse_workbook,
    )
    assert (error.workbook, error.action, error.attribute, error.line) == ("wb", "a1", "base", 5)


def test_workbook_without_members_is_accepted():
    # Checked on the server: valid.
    wb = parse_workbook("version: '2.0'\nname: empty\n")
    assert (wb.workflows, wb.actions) == ((), ())


def test_version_inside_sections_is_allowed():
    wb = parse_workbook("version: '2.0'\nname: wb\nworkflows:\n  version: '2.0'\n  w: {tasks: {t: {action: std.noop}}}\n")
    assert [w.name for w in wb.workflows] == ["wb.w"]


@pytest.mark.parametrize(
    "text, attribute",
    [
        ("version: '2.0'\nname: wb\nfoo: 1\n", "foo"),  # checked on the server: refused
        ("name: wb\nworkflows: {w: {tasks: {t: {action: std.noop}}}}\n", "version"),  # checked on the server
        ("version: '3.0'\nname: wb\n", "version"),  # checked on the server: "Unsupported DSL version"
        ("version: '2.0'\nname: wb\ndescription: 5\n", "description"),  # checked on the server: refused
        ("version: '2.0'\nname: wb\nworkflows: []\n", "workflows"),
        ("version: '2.0'\nname: wb\nactions: {}\n", "actions"),
        ("version: '2.0'\nname: [wb]\n", "name"),
        ("version: '2.0'\nname: wb\nworkflows:\n  a.b: {tasks: {t: {action: std.noop}}}\n", "workflows"),
    ],
)
def test_malformed_workbooks(text, attribute):
    found = errors(text, parse_workbook)
    assert any(e.attribute == attribute for e in found), [str(e) for e in found]


def test_workbook_needs_a_name():
    error = one_error("version: '2.0'\nworkflows:\n  w: {tasks: {t: {action: std.noop}}}\n", parse_workbook)
    assert error.attribute == "name"


def test_all_member_errors_are_collected():
    found = errors(
        """
        version: '2.0'
        name: wb
        actions:
          a1:
            foo: 1
        workflows:
          w1:
            tasks:
              t1: {action: std.noop, bar: 2}
          w2: 5
        """,
        parse_workbook,
    )
    assert [(e.action, e.workflow, e.line) for e in found] == [
        ("a1", None, 4),  # no base
        ("a1", None, 5),  # unknown attribute
        (None, "w1", 9),
        (None, "w2", 10),
    ]
