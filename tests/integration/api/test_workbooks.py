"""``/v2/workbooks``: a workbook and its workflows and actions (``<workbook>.<name>``).
Expected values were read from Mistral 23.0.0 answering the same requests;
Sirocco differs on purpose in removing members (docs/api.md)."""

from __future__ import annotations

import json

from .helpers import call, request

BOOK = """version: '2.0'
name: book
tags: [a, b]
description: a book
actions:
  greet:
    base: std.echo
    base-input:
      output: "hi <% $.name %>"
    input:
      - name
      - punct: "!"
    description: says hi
    output: <% $ %>
workflows:
  wf1:
    type: direct
    input:
      - x
      - y: 2
    output:
      r: <% task(t1).result %>
    tasks:
      t1:
        action: greet name=<% $.x %>
        on-success: [t2]
      t2:
        workflow: wf2
  wf2:
    tasks:
      t:
        action: std.noop
"""
BOOK2 = """version: '2.0'
name: book
workflows:
  wf1:
    tasks:
      t1:
        action: std.noop
  wf3:
    tasks:
      t:
        action: std.noop
"""
# Mistral 23.0.0's definitions of BOOK's members: their lines, unindented
WF1_DEFINITION = ("wf1:\n  type: direct\n  input:\n    - x\n    - y: 2\n  output:\n    r: <% task(t1).result %>\n"
                  "  tasks:\n    t1:\n      action: greet name=<% $.x %>\n      on-success: [t2]\n    t2:\n"
                  "      workflow: wf2\n")
GREET_DEFINITION = ("greet:\n  base: std.echo\n  base-input:\n    output: \"hi <% $.name %>\"\n  input:\n    - name\n"
                    "    - punct: \"!\"\n  description: says hi\n  output: <% $ %>\n")
WORKBOOK_FIELDS = ["id", "name", "namespace", "definition", "tags", "scope", "project_id", "created_at"]


def _names(client, resource, ns):
    return sorted(item["name"] for item in call(client, "GET", f"/v2/{resource}?namespace={ns}")[resource])


def test_create_stores_the_workbook_and_its_members(client, ns):
    created = call(client, "POST", f"/v2/workbooks?namespace={ns}", BOOK, 201)
    assert list(created) == WORKBOOK_FIELDS
    assert created["definition"] == BOOK and created["tags"] == ["a", "b"] and created["namespace"] == ns
    got = call(client, "GET", f"/v2/workbooks/book?namespace={ns}")
    assert list(got) == WORKBOOK_FIELDS + ["updated_at"] and got["updated_at"] is None
    assert _names(client, "workflows", ns) == ["book.wf1", "book.wf2"]
    wf1 = call(client, "GET", f"/v2/workflows/book.wf1?namespace={ns}")
    assert wf1["definition"] == WF1_DEFINITION and wf1["checksum"] is None
    assert wf1["input"] == 'x, y="2"' and json.loads(wf1["interface"]) == {"input": ["x", {"y": 2}], "output": ["r"]}
    [greet] = call(client, "GET", f"/v2/actions?namespace={ns}")["actions"]
    assert greet["name"] == "book.greet" and greet["definition"] == GREET_DEFINITION
    assert greet["input"] == 'name, punct="!"' and greet["description"] == "says hi" and greet["is_system"] is False
    assert call(client, "GET", f"/v2/actions/book.greet/{ns}")["id"] == greet["id"]


def test_a_workbook_workflow_runs_with_its_siblings(client, ns, delivery):
    call(client, "POST", f"/v2/workbooks?namespace={ns}", BOOK, 201)
    execution = call(client, "POST", "/v2/executions", {"workflow_name": "book.wf1", "workflow_namespace": ns,
                                                        "input": json.dumps({"x": "ann"})}, 201)
    header = delivery.run_execution(execution["id"])
    assert header.state == "SUCCESS", header.state_info
    assert header.output == {"r": "hi ann"}


def test_update_replaces_the_members_and_removes_the_rest(client, ns):
    created = call(client, "POST", f"/v2/workbooks?namespace={ns}", BOOK, 201)
    wf1 = call(client, "GET", f"/v2/workflows/book.wf1?namespace={ns}")
    updated = call(client, "PUT", f"/v2/workbooks?namespace={ns}", BOOK2)
    assert updated["id"] == created["id"] and updated["definition"] == BOOK2 and updated["tags"] == []
    assert len(updated["updated_at"]) == 19
    assert _names(client, "workflows", ns) == ["book.wf1", "book.wf3"]  # Mistral 23 keeps book.wf2 and book.greet
    assert _names(client, "actions", ns) == []
    new_wf1 = call(client, "GET", f"/v2/workflows/book.wf1?namespace={ns}")
    assert new_wf1["id"] == wf1["id"] and new_wf1["definition"] == "wf1:\n  tasks:\n    t1:\n      action: std.noop\n"
    assert new_wf1["updated_at"] is not None
    code, error = request(client, "PUT", f"/v2/workbooks?namespace=other{ns}", BOOK2)
    assert (code, error) == (404, {"faultstring": f"Workbook not found [name=book, namespace=other{ns}]"})


def test_delete_removes_the_members(client, ns):
    call(client, "POST", f"/v2/workbooks?namespace={ns}", BOOK, 201)
    assert request(client, "DELETE", f"/v2/workbooks/book?namespace={ns}") == (204, None)
    assert _names(client, "workflows", ns) == [] and _names(client, "actions", ns) == []
    assert request(client, "GET", f"/v2/workbooks/book?namespace={ns}") == (404, {
        "faultcode": "Client", "debuginfo": None, "faultstring": f"Workbook not found [name=book, namespace={ns}]"})
    assert request(client, "DELETE", f"/v2/workbooks/book?namespace={ns}") == (404, {
        "faultcode": "Client", "debuginfo": None,
        "faultstring": f"Workbook not found [workbook_name=book, namespace={ns}]"})
    call(client, "POST", f"/v2/workbooks?namespace={ns}", BOOK, 201)  # the name is free again


def test_a_workflow_a_trigger_starts_keeps_its_workbook(client, ns):
    call(client, "POST", f"/v2/workbooks?namespace={ns}", BOOK2, 201)
    wf3 = call(client, "GET", f"/v2/workflows/book.wf3?namespace={ns}")
    trigger = call(client, "POST", "/v2/cron_triggers", {"name": f"t_{ns}", "workflow_id": wf3["id"],
                                                        "pattern": "0 0 1 1 *"}, 201)
    code, error = request(client, "DELETE", f"/v2/workbooks/book?namespace={ns}")
    assert code == 400 and error["faultstring"].startswith("Can't delete workflow that has cron triggers associated")
    code, error = request(client, "PUT", f"/v2/workbooks?namespace={ns}", BOOK2.split("  wf3:")[0])
    assert code == 400 and trigger["id"] in error["faultstring"]
    assert _names(client, "workflows", ns) == ["book.wf1", "book.wf3"]
    call(client, "DELETE", f"/v2/cron_triggers/t_{ns}", status=204)
    call(client, "DELETE", f"/v2/workbooks/book?namespace={ns}", status=204)


def test_a_refused_workbook_leaves_nothing(client, ns):
    call(client, "POST", f"/v2/workbooks?namespace={ns}", BOOK, 201)
    code, error = request(client, "POST", f"/v2/workbooks?namespace={ns}", BOOK)
    assert (code, error) == (409, {"faultstring": "Duplicate entry for WorkbookDefinition ['name', 'namespace', "
                                                  f"'project_id']: book, {ns}, <default-project>"})
    bad = BOOK.replace("name: book", "name: other").replace("workflow: wf2", "workflow: wf2\n        on-error: [nope]")
    code, error = request(client, "POST", f"/v2/workbooks?namespace={ns}", bad)
    assert code == 400 and "nope" in error["faultstring"] and list(error) == ["faultstring"]
    assert _names(client, "workbooks", ns) == ["book"]
    assert _names(client, "workflows", ns) == ["book.wf1", "book.wf2"]


def test_list_and_fields(client, ns):
    for name in ("b2", "b1", "b3"):
        call(client, "POST", f"/v2/workbooks?namespace={ns}", BOOK2.replace("name: book", f"name: {name}"), 201)
    listed = call(client, "GET", f"/v2/workbooks?namespace={ns}&sort_keys=name&sort_dirs=desc&fields=name,tags")
    assert [(w["name"], list(w)) for w in listed["workbooks"]] == [(n, ["id", "name", "tags"]) for n in ("b3", "b2", "b1")]
    page = call(client, "GET", f"/v2/workbooks?namespace={ns}&sort_keys=name&limit=2")["workbooks"]
    rest = call(client, "GET", f"/v2/workbooks?namespace={ns}&sort_keys=name&limit=2&marker={page[-1]['id']}")
    assert [w["name"] for w in page + rest["workbooks"]] == ["b1", "b2", "b3"]
    assert call(client, "GET", f"/v2/workbooks/b1?namespace={ns}&fields=name") == {"id": page[0]["id"], "name": "b1"}


def test_validate(client):
    assert call(client, "POST", "/v2/workbooks/validate", BOOK) == {"valid": True}
    verdict = call(client, "POST", "/v2/workbooks/validate", "version: '2.0'\nwf:\n  tasks:\n    t:\n      action: x\n")
    assert verdict["valid"] is False and verdict["error"]
