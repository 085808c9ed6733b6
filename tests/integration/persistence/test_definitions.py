"""Definitions: create, duplicate refused, get by name and by id, list by
project and namespace, public scope, update, delete, for every kind."""

from __future__ import annotations

import uuid

import pytest

from sirocco.persistence.definitions import DuplicateDefinition, to_dict

KINDS = {
    "workflow": {"definition": "version: '2.0'\nwf: {tasks: {}}", "spec": {"type": "direct", "tasks": []},
                 "input": "a, b=1", "interface": {"input": ["a", {"b": 1}], "output": []}, "tags": ["t"]},
    "workbook": {"definition": "version: '2.0'\nname: wb", "spec": {"workflows": ["wb.wf"]}},
    "action": {"definition": "version: '2.0'\nmy.act: {base: std.noop}", "input": "x", "description": "d",
               "is_system": "false"},
    "environment": {"description": "env", "variables": {"url": "http://x", "n": [1, 2]}},
    "cron_trigger": {"pattern": "*/5 * * * *", "workflow_name": "wf", "workflow_id": "w-1",
                     "workflow_input": {"a": 1}, "workflow_params": {}, "first_execution_time": None,
                     "next_execution_time": "2030-01-01 00:05:00", "remaining_executions": 3},
    "event_trigger": {"workflow_id": "w-1", "workflow_input": {}, "workflow_params": {"env": {}},
                      "exchange": "ex", "topic": "tp", "event": "ev"},
}


@pytest.fixture()
def project() -> str:
    return f"proj-{uuid.uuid4().hex[:8]}"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_round_trips(definitions, project, kind):
    created = definitions.create(kind, "one", namespace="ns", project_id=project, **KINDS[kind])
    got = definitions.get(kind, "one", namespace="ns", project_id=project)
    data = to_dict(got)
    for key, value in KINDS[kind].items():
        assert data[key] == value, key
    assert data["id"] == created.id and data["name"] == "one" and data["namespace"] == "ns"
    assert data["project_id"] == project and data["scope"] == "private" and data["created_at"]
    assert data["kind"] == kind
    assert to_dict(definitions.get_by_id(created.id)) == data
    assert to_dict(definitions.get_by_id(created.id, kind)) == data
    assert definitions.get_by_id(created.id, "workbook" if kind != "workbook" else "workflow") is None
    assert definitions.get(kind, "one", project_id=project) is None  # another namespace


def test_duplicates_are_refused_per_project_and_namespace(definitions, project):
    definitions.create("workflow", "wf", project_id=project, definition="a")
    with pytest.raises(DuplicateDefinition):
        definitions.create("workflow", "wf", project_id=project, definition="b")
    definitions.create("workflow", "wf", namespace="other", project_id=project, definition="c")
    definitions.create("workflow", "wf", project_id=project + "-2", definition="d")
    definitions.create("workbook", "wf", project_id=project, definition="e")  # kinds are separate


def test_list_by_namespace_and_public_scope(definitions, project):
    other = project + "-other"
    definitions.create("workflow", "b", project_id=project)
    definitions.create("workflow", "a", project_id=project)
    definitions.create("workflow", "c", namespace="n#1", project_id=project)
    definitions.create("workflow", "shared", project_id=other, scope="public")
    definitions.create("workflow", "hidden", project_id=other)
    names = lambda items: [(i.namespace, i.name) for i in items]  # noqa: E731
    listed = [n for n in names(definitions.list("workflow", project_id=project))
              if n[1] in {"a", "b", "c", "shared", "hidden"}]
    assert listed == [("", "a"), ("", "b"), ("", "shared"), ("n#1", "c")]
    assert names(definitions.list("workflow", project_id=project, namespace="n#1")) == [("n#1", "c")]
    assert names(definitions.list("workflow", project_id=project, include_public=False)) == [
        ("", "a"), ("", "b"), ("n#1", "c")]
    assert definitions.get("workflow", "shared", project_id=project).project_id == other
    assert definitions.get("workflow", "hidden", project_id=project) is None


def test_update_and_delete(definitions, project):
    created = definitions.create("environment", "env", project_id=project, variables={"a": 1})
    updated = definitions.update("environment", "env", project_id=project, variables={"a": 2}, scope="public")
    assert updated.id == created.id and updated.updated_at
    got = definitions.get("environment", "env", project_id=project)
    assert to_dict(got)["variables"] == {"a": 2} and got.g_public == "environment"
    assert definitions.update("environment", "missing", project_id=project, variables={}) is None
    assert definitions.delete("environment", "env", project_id=project) is True
    assert definitions.delete("environment", "env", project_id=project) is False
    assert definitions.get("environment", "env", project_id=project) is None
    with pytest.raises(ValueError):
        definitions.get("nonsense", "x")
