"""Actions through python-mistralclient: the registered (std) actions listed and described,
ad-hoc actions created, got, listed, updated, deleted, validated; errors."""

from __future__ import annotations

import pytest

from .support import api_error

pytestmark = pytest.mark.e2e

HI = """version: '2.0'
hi:
  input:
    - who
    - greeting: Hello
  base: std.echo
  base-input:
    output: <% $.greeting %> <% $.who %>
ho:
  base: std.noop
"""


def test_std_actions_are_listed_and_described(client):
    echo = client.actions.get("std.echo")
    assert echo.name == "std.echo"
    assert echo.id == "std.echo"  # a registered action's id is its name
    assert echo.input == "output, delay=0"
    assert echo.description.startswith("Echo action.")

    names = [a.name for a in client.actions.list()]
    for name in ("std.async_noop", "std.echo", "std.fail", "std.noop", "std.http", "std.sleep"):
        assert name in names
    assert names == sorted(names)  # by name, ascending, by default

    three = "in:std.echo,std.fail,std.noop"
    assert [a.name for a in client.actions.list(name=three)] == ["std.echo", "std.fail", "std.noop"]
    assert [a.name for a in client.actions.list(name=three, sort_dirs="desc")] == \
        ["std.noop", "std.fail", "std.echo"]
    assert [a.name for a in client.actions.list(name=three, limit=2)] == ["std.echo", "std.fail"]
    fail = client.actions.list(name="std.fail")
    assert [(a.name, a.input) for a in fail] == [("std.fail", "error_data=null")]


@pytest.mark.sirocco_only("Mistral 23 starts an action page AT the marker (the marker's own item "
                          "comes again), Sirocco after it, as for every other resource")
def test_std_actions_marker(client):
    three = "in:std.echo,std.fail,std.noop"
    page = client.actions.list(name=three, limit=2)
    rest = client.actions.list(name=three, limit=2, marker=page[-1].id)
    assert [a.name for a in rest] == ["std.noop"]


def test_ad_hoc_create_get_list_update_delete(client, ns):
    created = client.actions.create(HI, namespace=ns)
    assert [a.name for a in created] == ["hi", "ho"]
    hi = created[0]
    assert hi.namespace == ns
    assert hi.input == 'who, greeting="Hello"'
    assert hi.scope == "private"
    assert hi.definition.startswith("version: '2.0'\nhi:")

    got = client.actions.get("hi", namespace=ns)
    assert got.id == hi.id
    assert got.input == 'who, greeting="Hello"'
    assert got.updated_at is None

    # a namespace lists its own ad-hoc actions only
    assert [a.name for a in client.actions.list(namespace=ns)] == ["hi", "ho"]

    new = "version: '2.0'\nhi:\n  description: changed\n  base: std.echo\n  base-input:\n    output: 1\n"
    updated = client.actions.update(new, namespace=ns)
    assert [a.name for a in updated] == ["hi"]
    got = client.actions.get("hi", namespace=ns)
    assert got.description == "changed"
    assert got.input == ""
    assert got.updated_at is not None

    client.actions.delete("hi", namespace=ns)
    client.actions.delete("ho", namespace=ns)
    assert client.actions.list(namespace=ns) == []
    assert api_error(client.actions.get, "hi", namespace=ns).error_code == 404


def test_ad_hoc_action_runs_in_a_workflow(client, ns):
    import json
    from .support import wait_execution

    client.actions.create(HI, namespace=ns)
    client.workflows.create("version: '2.0'\nwf:\n  tasks:\n    t:\n      action: hi who='ann'\n"
                            "      publish:\n        said: <% task().result %>\n  output:\n"
                            "    said: <% $.said %>\n", namespace=ns)
    execution = client.executions.create("wf", namespace=ns)
    done = wait_execution(client, execution.id)
    assert done.state == "SUCCESS", done.state_info
    assert json.loads(done.output) == {"said": "Hello ann"}
    client.executions.delete(execution.id)


def test_errors(client, ns):
    error = api_error(client.actions.get, "nothere", namespace=ns)
    assert error.error_code == 404
    assert "nothere" in error.error_message

    client.actions.create(HI, namespace=ns)
    error = api_error(client.actions.create, HI, namespace=ns)
    assert error.error_code == 409
    assert error.error_message.startswith("Duplicate entry for Action")

    missing = "version: '2.0'\nnothere:\n  base: std.echo\n  base-input:\n    output: 1\n"
    assert api_error(client.actions.update, missing, namespace=ns).error_code == 404
    assert api_error(client.actions.delete, "nothere", namespace=ns).error_code == 404
    # a registered action is not a definition one can delete
    assert api_error(client.actions.delete, "std.echo").error_code == 404

    bad = "version: '2.0'\nbad:\n  input: 5\n  base: std.echo\n"
    error = api_error(client.actions.create, bad, namespace=ns)
    assert error.error_code == 400
    assert "input" in error.error_message
    assert [a.name for a in client.actions.list(namespace=ns)] == ["hi", "ho"]


def test_validate(client):
    assert client.actions.validate("version: '2.0'\nok:\n  base: std.echo\n") == {"valid": True}
    verdict = client.actions.validate("version: '2.0'\nbad:\n  input: 5\n  base: std.echo\n")
    assert verdict["valid"] is False
    assert "input" in verdict["error"]
