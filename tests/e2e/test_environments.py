"""Environments through python-mistralclient: create, get, list, update, delete, errors, and
an execution started with a stored environment by name."""

from __future__ import annotations

import json

import pytest

from .support import api_error, delete_quietly, unique, wait_execution

pytestmark = pytest.mark.e2e


def test_create_get_list_update_delete(client):
    name = unique("env")
    try:
        created = client.environments.create(name=name, variables={"a": 1, "b": [1, 2]}, description="first")
        assert created.name == name
        assert created.description == "first"
        assert created.variables == {"a": 1, "b": [1, 2]}  # the client decodes the JSON string
        assert created.scope == "private"
        assert created.created_at

        got = client.environments.get(name)
        assert got.id == created.id
        assert got.variables == {"a": 1, "b": [1, 2]}
        assert got.updated_at is None

        assert name in [e.name for e in client.environments.list()]
        assert [e.name for e in client.environments.list(name=name)] == [name]

        updated = client.environments.update(name=name, variables={"a": 2})
        assert updated.variables == {"a": 2}
        assert updated.description == "first"
        # an update without variables keeps them
        updated = client.environments.update(name=name, description="second")
        assert updated.variables == {"a": 2} and updated.description == "second"
        got = client.environments.get(name)
        assert (got.variables, got.description) == ({"a": 2}, "second")
        assert got.updated_at is not None

        client.environments.delete(name)
        assert api_error(client.environments.get, name).error_code == 404
    finally:
        delete_quietly(client.environments.delete, name)


def test_list_paging_sorting_fields(client):
    names = sorted(unique("env") for _ in range(3))
    try:
        for name in names:
            client.environments.create(name=name, variables={"n": name})
        mine = "in:" + ",".join(names)
        assert [e.name for e in client.environments.list(name=mine, sort_keys="name")] == names
        assert [e.name for e in client.environments.list(name=mine, sort_keys="name", sort_dirs="desc")] == \
            names[::-1]
        first = client.environments.list(name=mine, sort_keys="name", limit=2)
        assert [e.name for e in first] == names[:2]
        slim = client.environments.list(name=mine, sort_keys="name", fields=["name"])
        assert [sorted(e.to_dict()) for e in slim] == [["id", "name"]] * 3
    finally:
        for name in names:
            delete_quietly(client.environments.delete, name)


@pytest.mark.sirocco_only("Mistral 23 cannot page environments: the marker must be a UUID, and "
                          "is then looked up as a name (404 'Environment not found [name=<uuid>]')")
def test_list_marker(client):
    names = sorted(unique("env") for _ in range(3))
    try:
        for name in names:
            client.environments.create(name=name, variables={"n": name})
        mine = "in:" + ",".join(names)
        first = client.environments.list(name=mine, sort_keys="name", limit=2)
        rest = client.environments.list(name=mine, sort_keys="name", limit=2, marker=first[-1].id)
        assert [e.name for e in rest] == names[2:]
    finally:
        for name in names:
            delete_quietly(client.environments.delete, name)


def test_errors(client):
    name = unique("env")
    error = api_error(client.environments.get, name)
    assert error.error_code == 404
    assert error.error_message == f"Environment not found [name={name}]"
    assert api_error(client.environments.update, name=name, variables={"a": 1}).error_code == 404
    assert api_error(client.environments.delete, name).error_code == 404
    try:
        client.environments.create(name=name, variables={"a": 1})
        error = api_error(client.environments.create, name=name, variables={"a": 2})
        assert error.error_code == 409
        assert error.error_message.startswith("Duplicate entry for Environment")
        assert client.environments.get(name).variables == {"a": 1}
    finally:
        delete_quietly(client.environments.delete, name)


def test_an_execution_uses_a_stored_environment_by_name(client, ns):
    name = unique("env")
    client.workflows.create("version: '2.0'\nuse_env:\n  output:\n    a: <% env().a %>\n  tasks:\n"
                            "    t:\n      action: std.noop\n", namespace=ns)
    try:
        client.environments.create(name=name, variables={"a": "stored"})
        execution = client.executions.create("use_env", namespace=ns, env=name)
        # the environment's variables are copied into the execution's params
        assert json.loads(execution.params)["env"] == {"a": "stored"}
        done = wait_execution(client, execution.id)
        assert done.state == "SUCCESS", done.state_info
        assert json.loads(done.output) == {"a": "stored"}

        missing = unique("noenv")
        error = api_error(client.executions.create, "use_env", namespace=ns, env=missing)
        assert error.error_code == 400
        assert error.error_message == f"Environment is not found: {missing}"
    finally:
        delete_quietly(client.environments.delete, name)
