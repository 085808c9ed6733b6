"""Workflows through python-mistralclient: create (several per document), get by name and
id, list (namespace filter, paging, sorting, fields, filters), update, delete, validate, and the
errors the client raises."""

from __future__ import annotations

import json

import pytest
import requests

from .support import api_error, unique

pytestmark = pytest.mark.e2e

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


def test_create_several_get_by_name_and_id(client, ns):
    created = client.workflows.create(THREE, namespace=ns)
    assert [w.name for w in created] == ["alpha", "beta", "gamma"]
    alpha = created[0]
    assert alpha.namespace == ns
    assert alpha.scope == "private"
    assert alpha.input == 'x, y="2"'
    # the create answer carries the interface as an object, a GET as a JSON string
    assert alpha.interface == {"input": ["x", {"y": 2}], "output": ["sum"]}
    assert alpha.definition.startswith("version: '2.0'\nalpha:\n")
    assert "beta" not in alpha.definition  # each workflow is stored alone
    assert len(alpha.checksum) == 32
    assert created[1].tags == ["red"]

    by_name = client.workflows.get("alpha", namespace=ns)
    by_id = client.workflows.get(alpha.id)
    for got in (by_name, by_id):
        assert got.id == alpha.id
        assert got.name == "alpha"
        assert got.definition == alpha.definition
        assert got.checksum == alpha.checksum
        assert json.loads(got.interface) == {"input": ["x", {"y": 2}], "output": ["sum"]}
        assert got.created_at == alpha.created_at
        assert len(got.created_at) == len("2024-01-01 00:00:00")
        assert got.updated_at is None


def test_list_namespace_paging_sorting_fields(client, ns):
    client.workflows.create(THREE, namespace=ns)

    listed = client.workflows.list(namespace=ns)
    assert sorted(w.name for w in listed) == ["alpha", "beta", "gamma"]
    assert all(w.namespace == ns for w in listed)

    by_name = client.workflows.list(namespace=ns, sort_keys="name", sort_dirs="asc")
    assert [w.name for w in by_name] == ["alpha", "beta", "gamma"]
    desc = client.workflows.list(namespace=ns, sort_keys="name", sort_dirs="desc")
    assert [w.name for w in desc] == ["gamma", "beta", "alpha"]

    first = client.workflows.list(namespace=ns, limit=2, sort_keys="name", sort_dirs="desc")
    assert [w.name for w in first] == ["gamma", "beta"]
    rest = client.workflows.list(namespace=ns, limit=2, marker=first[-1].id,
                                 sort_keys="name", sort_dirs="desc")
    assert [w.name for w in rest] == ["alpha"]

    slim = client.workflows.list(namespace=ns, fields=["name"], sort_keys="name")
    # `id` always comes with the asked fields (the next link is built on it)
    assert [w.to_dict() for w in slim] == [{"id": w.id, "name": w.name} for w in by_name]

    # a filter on a column, and one with an operator prefix
    assert [w.name for w in client.workflows.list(namespace=ns, name="beta")] == ["beta"]
    assert sorted(w.name for w in client.workflows.list(namespace=ns, name="in:alpha,gamma")) == \
        ["alpha", "gamma"]
    assert sorted(w.name for w in client.workflows.list(namespace=ns, name="neq:beta")) == \
        ["alpha", "gamma"]


def test_next_link(api_url, client, ns):
    # the client drops it; a full page carries `next` (sort keys + id, filters, limit, marker,
    # fields), a short page none
    client.workflows.create(THREE, namespace=ns)
    page = requests.get(api_url + "/workflows", params={"namespace": ns, "limit": 2, "sort_keys": "name",
                                                       "fields": "name"}, timeout=30).json()
    assert [w["name"] for w in page["workflows"]] == ["alpha", "beta"]
    assert page["next"].startswith(api_url + "/workflows?")
    rest = requests.get(page["next"], timeout=30).json()
    assert rest == {"workflows": [{"id": rest["workflows"][0]["id"], "name": "gamma"}]}


def test_namespaces_are_separate(client, ns):
    other = ns + "x"
    text = "version: '2.0'\nsame:\n  tasks:\n    t:\n      action: std.noop\n"
    one = client.workflows.create(text, namespace=ns)[0]
    two = client.workflows.create(text, namespace=other)[0]
    assert one.id != two.id
    assert client.workflows.get("same", namespace=ns).id == one.id
    assert client.workflows.get("same", namespace=other).id == two.id
    client.workflows.delete("same", namespace=other)
    assert client.workflows.get("same", namespace=ns).id == one.id
    assert api_error(client.workflows.get, "same", namespace=other).error_code == 404


def test_update_by_document_and_by_id(client, ns):
    created = client.workflows.create(THREE, namespace=ns)
    beta = created[1]
    new = "version: '2.0'\nbeta:\n  description: changed\n  tasks:\n    t:\n      action: std.echo output=1\n"
    updated = client.workflows.update(new, namespace=ns)
    assert [w.name for w in updated] == ["beta"]
    assert updated[0].id == beta.id
    assert updated[0].checksum != beta.checksum
    assert updated[0].updated_at is not None
    got = client.workflows.get("beta", namespace=ns)
    assert "changed" in got.definition
    assert got.updated_at is not None

    one = "version: '2.0'\ngamma:\n  input: [z]\n  tasks:\n    t:\n      action: std.noop\n"
    gamma = client.workflows.update(one, namespace=ns, id=created[2].id)
    assert gamma.id == created[2].id
    assert gamma.input == "z"
    assert client.workflows.get(created[2].id).input == "z"


def test_update_unknown_workflow_is_404(client, ns):
    text = f"version: '2.0'\n{unique('nope')}:\n  tasks:\n    t:\n      action: std.noop\n"
    error = api_error(client.workflows.update, text, namespace=ns)
    assert error.error_code == 404
    assert "not found" in error.error_message


def test_delete_by_name_and_by_id(client, ns):
    created = client.workflows.create(THREE, namespace=ns)
    client.workflows.delete("alpha", namespace=ns)
    client.workflows.delete(created[1].id)
    assert [w.name for w in client.workflows.list(namespace=ns)] == ["gamma"]
    error = api_error(client.workflows.get, "alpha", namespace=ns)
    assert error.error_code == 404
    error = api_error(client.workflows.delete, "alpha", namespace=ns)
    assert error.error_code == 404


def test_get_unknown_is_404_naming_it(client, ns):
    error = api_error(client.workflows.get, "missing_wf", namespace=ns)
    assert error.error_code == 404
    assert error.error_message == \
        f"Workflow not found [workflow_identifier=missing_wf, namespace={ns}]"


def test_duplicate_is_409_and_nothing_of_the_document_is_stored(client, ns):
    client.workflows.create("version: '2.0'\nbeta:\n  tasks:\n    t:\n      action: std.noop\n",
                            namespace=ns)
    error = api_error(client.workflows.create, THREE, namespace=ns)
    assert error.error_code == 409
    assert error.error_message.startswith("Duplicate entry for WorkflowDefinition")
    assert [w.name for w in client.workflows.list(namespace=ns)] == ["beta"]


def test_invalid_definition_is_400_naming_the_problem(client, ns):
    bad = "version: '2.0'\nwf:\n  tasks:\n    t:\n      action: std.noop\n      on-success: [missing]\n"
    error = api_error(client.workflows.create, bad, namespace=ns)
    assert error.error_code == 400
    assert "missing" in error.error_message
    assert client.workflows.list(namespace=ns) == []

    error = api_error(client.workflows.create, "version: '2.0'\nwf: [unclosed\n", namespace=ns)
    assert error.error_code == 400


def test_validate(client):
    good = "version: '2.0'\nwf:\n  tasks:\n    t:\n      action: std.noop\n"
    assert client.workflows.validate(good) == {"valid": True}
    bad = "version: '2.0'\nwf:\n  tasks:\n    t:\n      action: std.noop\n      on-success: [missing]\n"
    verdict = client.workflows.validate(bad)
    assert verdict["valid"] is False
    assert "missing" in verdict["error"]
