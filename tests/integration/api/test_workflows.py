"""``/v2/workflows`` beyond upload and get (tests/integration/shell/test_api.py):
update, list, delete, validate. Expected values were read from Mistral 23.0.0
answering the same requests."""

from __future__ import annotations

import json

from .helpers import call, request

THREE = """version: '2.0'
alpha:
  input:
    - x
    - y: 2
  output:
    sum: <% $.x + $.y %>
  tasks:
    add:
      action: std.noop
beta:
  tags: [red]
  tasks:
    t:
      action: std.noop
gamma:
  tasks:
    t:
      action: std.noop
"""
ONE = """---
version: '2.0'

# comment
one:
  input: [a, {b: x}, {c: true}]
  tasks:
    t:
      action: std.echo output=1
"""
CHANGED = "version: '2.0'\nbeta:\n  description: changed\n  tasks:\n    t:\n      action: std.echo output=1\n"


def test_a_document_of_one_workflow_is_stored_as_written(client, ns):
    created = call(client, "POST", f"/v2/workflows?namespace={ns}", ONE, 201)["workflows"][0]
    assert created["definition"] == ONE
    assert created["checksum"] == "0a48516c50d697cf5b62ec10116ea2b7"  # Mistral's, for ONE
    assert created["input"] == 'a, b="x", c="True"'
    assert created["interface"] == {"input": ["a", {"b": "x"}, {"c": True}], "output": []}


def test_update_by_document_changes_each_named_workflow(client, ns):
    created = call(client, "POST", f"/v2/workflows?namespace={ns}", THREE, 201)["workflows"]
    answer = call(client, "PUT", f"/v2/workflows?namespace={ns}", CHANGED)
    [beta] = answer["workflows"]
    assert list(beta) == ["id", "name", "namespace", "input", "interface", "definition", "checksum", "tags",
                          "scope", "project_id", "created_at", "updated_at"]
    assert beta["id"] == created[1]["id"] and beta["definition"] == CHANGED
    assert beta["interface"] == {"input": [], "output": []}  # an object, as in the create answer
    assert beta["created_at"] == created[1]["created_at"] and len(beta["updated_at"]) == 19
    assert beta["tags"] == []
    got = call(client, "GET", f"/v2/workflows/beta?namespace={ns}")
    assert got["definition"] == CHANGED and got["updated_at"] == beta["updated_at"]


def test_update_by_id_answers_the_workflow_alone(client, ns):
    created = call(client, "POST", f"/v2/workflows?namespace={ns}", THREE, 201)["workflows"]
    one = "version: '2.0'\ngamma:\n  input: [z]\n  tasks:\n    t:\n      action: std.noop\n"
    gamma = call(client, "PUT", f"/v2/workflows/{created[2]['id']}?namespace={ns}", one)
    assert gamma["id"] == created[2]["id"] and gamma["input"] == "z"
    code, error = request(client, "PUT", f"/v2/workflows/{created[2]['id']}?namespace={ns}", THREE)
    assert (code, error) == (400, {"faultstring": "More than one workflows are not supported for update with "
                                                  f"identifier. [identifier: {created[2]['id']}]"})
    code, error = request(client, "PUT", f"/v2/workflows/{created[2]['id']}?namespace={ns}", CHANGED)
    assert code == 400 and "cannot be renamed" in error["faultstring"]


def test_an_update_naming_a_missing_workflow_changes_none(client, ns):
    call(client, "POST", f"/v2/workflows?namespace={ns}", THREE, 201)
    text = CHANGED + "delta:\n  tasks:\n    t:\n      action: std.noop\n"
    code, error = request(client, "PUT", f"/v2/workflows?namespace={ns}", text)
    assert (code, error) == (404, {"faultstring": f"Workflow not found [workflow_identifier=delta, namespace={ns}]"})
    assert "changed" not in call(client, "GET", f"/v2/workflows/beta?namespace={ns}")["definition"]
    code, error = request(client, "PUT", f"/v2/workflows?namespace={ns}&scope=bad", CHANGED)
    assert (code, error) == (400, {"faultstring": "Scope must be one of the following: ['private', 'public']; "
                                                  "actual: bad"})


def test_list_filters_sorts_pages_and_picks_fields(client, ns):
    created = call(client, "POST", f"/v2/workflows?namespace={ns}", THREE, 201)["workflows"]
    listed = call(client, "GET", f"/v2/workflows?namespace={ns}&sort_keys=name&sort_dirs=desc")["workflows"]
    assert [w["name"] for w in listed] == ["gamma", "beta", "alpha"]
    assert listed[2]["interface"] == json.dumps({"input": ["x", {"y": 2}], "output": ["sum"]})
    page = call(client, "GET", f"/v2/workflows?namespace={ns}&sort_keys=name&limit=2&fields=name")
    assert page["workflows"] == [{"id": created[0]["id"], "name": "alpha"}, {"id": created[1]["id"], "name": "beta"}]
    assert page["next"].startswith("http://127.0.0.1:8989/v2/workflows?")
    rest = call(client, "GET", f"/v2/workflows?namespace={ns}&sort_keys=name&limit=2&marker={created[1]['id']}")
    assert [w["name"] for w in rest["workflows"]] == ["gamma"] and "next" not in rest
    assert [w["name"] for w in call(client, "GET", f"/v2/workflows?namespace={ns}&tags=red")["workflows"]] == ["beta"]
    picked = call(client, "GET", f"/v2/workflows?namespace={ns}&name=in:alpha,gamma&fields=name")["workflows"]
    assert sorted(w["name"] for w in picked) == ["alpha", "gamma"]
    assert call(client, "GET", f"/v2/workflows/alpha?namespace={ns}&fields=name") == {"id": created[0]["id"],
                                                                                       "name": "alpha"}
    code, error = request(client, "GET", f"/v2/workflows?namespace={ns}&sort_keys=colour")
    assert code == 400 and error["faultstring"].startswith("Unknown sort key(s) [colour]")


def test_delete_by_name_or_id(client, ns):
    created = call(client, "POST", f"/v2/workflows?namespace={ns}", THREE, 201)["workflows"]
    assert request(client, "DELETE", f"/v2/workflows/alpha?namespace={ns}") == (204, None)
    assert request(client, "DELETE", f"/v2/workflows/{created[1]['id']}") == (204, None)
    assert [w["name"] for w in call(client, "GET", f"/v2/workflows?namespace={ns}")["workflows"]] == ["gamma"]
    assert request(client, "DELETE", f"/v2/workflows/alpha?namespace={ns}") == (404, {
        "faultcode": "Client", "debuginfo": None,
        "faultstring": f"Workflow not found [workflow_identifier=alpha, namespace={ns}]"})


def test_a_workflow_a_cron_trigger_starts_cannot_be_deleted(client, ns):
    text = f"version: '2.0'\nwf_{ns}:\n  tasks:\n    t:\n      action: std.noop\n"
    workflow = call(client, "POST", "/v2/workflows", text, 201)["workflows"][0]
    trigger = call(client, "POST", "/v2/cron_triggers", {"name": f"ct_{ns}", "workflow_name": f"wf_{ns}",
                                                        "pattern": "0 0 1 1 *"}, 201)
    code, error = request(client, "DELETE", f"/v2/workflows/wf_{ns}")
    assert (code, error["faultstring"]) == (400, "Can't delete workflow that has cron triggers associated. "
                                                 f"[workflow_identifier=wf_{ns}, namespace=], "
                                                 f"[cron_trigger_id(s)={trigger['id']}]")
    call(client, "DELETE", f"/v2/cron_triggers/ct_{ns}", status=204)
    event = call(client, "POST", "/v2/event_triggers", {"workflow_id": workflow["id"], "exchange": "x",
                                                        "topic": ns, "event": "e"}, 201)
    code, error = request(client, "DELETE", f"/v2/workflows/{workflow['id']}")
    assert (code, error["faultstring"]) == (400, "Can't delete workflow that has event triggers associated. "
                                                 f"[workflow_identifier={workflow['id']}], "
                                                 f"[event_trigger_id(s)={event['id']}]")
    call(client, "DELETE", f"/v2/event_triggers/{event['id']}", status=204)
    call(client, "DELETE", f"/v2/workflows/wf_{ns}", status=204)


def test_validate(client):
    assert call(client, "POST", "/v2/workflows/validate", THREE) == {"valid": True}
    bad = "version: '2.0'\nwf:\n  tasks:\n    t:\n      action: std.noop\n      on-success: [nowhere]\n"
    verdict = call(client, "POST", "/v2/workflows/validate", bad)
    assert verdict["valid"] is False and "nowhere" in verdict["error"] and "line 6" in verdict["error"]
