"""publish, publish-on-error, publish-on-skip and the scoped publish of on-* dict forms."""

import pytest
from lang_util import errors, one_error, workflow

from sirocco.language import PublishSpec


def test_plain_publish_attributes_go_to_the_branch():
    t = workflow(
        """
        version: '2.0'
        wf:
          tasks:
            t1:
              action: std.noop
              publish:
                ok: <% task().result %>
              publish-on-error:
                err: <% task().result %>
              publish-on-skip:
                skipped: true
        """
    ).tasks["t1"]
    assert t.publish == PublishSpec(branch={"ok": "<% task().result %>"})
    assert t.publish_on_error == PublishSpec(branch={"err": "<% task().result %>"})
    assert t.publish_on_skip == PublishSpec(branch={"skipped": True})


def test_scoped_publish_and_next():
    # Checked on the server: valid.
    t = workflow(
        """
        version: '2.0'
        wf:
          tasks:
            t1:
              action: std.noop
              on-success:
                publish:
                  branch: {a: 1}
                  global: {b: <% $.x %>}
                  atomic: {c: 2}
                next:
                  - t2: <% $.a = 1 %>
            t2:
              action: std.noop
        """
    ).tasks["t1"]
    assert t.publish == PublishSpec(branch={"a": 1}, global_={"b": "<% $.x %>"}, atomic={"c": 2})
    assert [(x.target, x.condition) for x in t.on_success] == [("t2", "<% $.a = 1 %>")]
    assert t.publish_on_error is None


def test_publish_merge_precedence():
    # Mistral's get_publish: on-complete beats the plain attribute, which beats on-success.
    t = workflow(
        """
        version: '2.0'
        wf:
          tasks:
            t1:
              action: std.noop
              publish: {k: plain, p: plain}
              on-success:
                publish:
                  branch: {k: success, p: success, s: success}
              on-complete:
                publish:
                  branch: {k: complete}
                  global: {g: complete}
              on-error:
                publish:
                  global: {e: error}
        """
    ).tasks["t1"]
    assert t.publish == PublishSpec(
        branch={"k": "complete", "p": "plain", "s": "success"}, global_={"g": "complete"}
    )
    # on-complete's publish applies to errors (and skips) too
    assert t.publish_on_error == PublishSpec(branch={"k": "complete"}, global_={"g": "complete", "e": "error"})
    assert t.publish_on_skip == PublishSpec(branch={"k": "complete"}, global_={"g": "complete"})


def test_dict_form_with_only_next():
    # Checked on the server: valid.
    t = workflow("version: '2.0'\nwf:\n  tasks:\n    t1: {action: std.noop, on-success: {next: t2}}\n    t2: {action: std.noop}\n").tasks["t1"]
    assert [x.target for x in t.on_success] == ["t2"] and t.publish is None


@pytest.mark.parametrize(
    "clause, fragment",
    [
        ("{publish: {}, next: t2}", "branch, global and/or atomic"),  # checked on the server: refused
        ("{publish: {local: {a: 1}}}", "unknown attribute"),
        ("{publish: {branch: {x: 1}}, goto: t2}", "unknown attribute"),
        ("{publish: {branch: {}}}", "non-empty mapping"),
        ("{publish: {branch: [a]}}", "non-empty mapping"),
        ("{publish: {branch: {a: <% $.x + %>}}}", "YAQL"),
    ],
)
def test_malformed_scoped_publish(clause, fragment):
    found = errors(f"version: '2.0'\nwf:\n  tasks:\n    t1:\n      action: std.noop\n      on-success: {clause}\n    t2: {{action: std.noop}}\n")
    assert all(e.attribute.startswith("on-success.") for e in found), [str(e) for e in found]
    assert any(fragment in e.message for e in found)


def test_publish_must_be_a_non_empty_mapping():
    # Checked on the server: `publish: {}` is refused.
    found = errors(
        """
        version: '2.0'
        wf:
          tasks:
            t1:
              action: std.noop
              publish: {}
              publish-on-error: [a]
        """
    )
    assert [e.attribute for e in found] == ["publish", "publish-on-error"]


def test_publish_expression_errors_name_the_variable_and_line():
    error = one_error(
        """
        version: '2.0'
        wf:
          tasks:
            t1:
              action: std.noop
              publish:
                good: <% $.a %>
                bad: <% $.a + %>
        """
    )
    assert (error.attribute, error.line) == ("publish", 8)
    assert error.message.startswith("bad: invalid YAQL")
