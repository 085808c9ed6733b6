"""parse_document: the kind of a document is guessed for the CLI."""

from lang_util import doc, errors

from sirocco.language import parse_document


def test_workbook_is_detected_by_its_name():
    found = parse_document(doc("version: '2.0'\nname: wb\nworkflows:\n  w: {tasks: {t: {action: std.noop}}}\n"))
    assert found.kind == "workbook"
    assert found.workbook.name == "wb"
    assert [w.name for w in found.workflows] == ["wb.w"] and found.actions == ()


def test_action_list_is_detected_by_base():
    found = parse_document("version: '2.0'\na1: {base: std.noop}\na2: {base: std.echo output=1}\n")
    assert found.kind == "actions" and [a.name for a in found.actions] == ["a1", "a2"]


def test_anything_else_is_a_workflow_list():
    found = parse_document("version: '2.0'\nw1: {tasks: {t: {action: std.noop}}}\n")
    assert found.kind == "workflows" and [w.name for w in found.workflows] == ["w1"]


def test_errors_of_a_guessed_document_are_reported():
    found = errors("version: '2.0'\nw1: {tasks: {t: {action: std.noop}}}\na1: {base: std.noop}\n", parse_document)
    # a mixed list is read as workflows: a1 has an unknown attribute and no tasks
    assert {e.workflow for e in found} == {"a1"} and len(found) == 2
