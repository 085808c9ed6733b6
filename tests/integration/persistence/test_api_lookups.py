"""The look-ups the REST API needs: list views over the indexes, tasks and
action executions by their own id."""

from __future__ import annotations

import uuid

from sirocco.engine.records import ActionRecord, TaskRecord

from .helpers import decision_of
from .records import every_record


def _execution(store, project: str, workflow: str, state: str, created: float, parent: str | None = None) -> str:
    eid = str(uuid.uuid4())
    header = every_record(eid)[0]
    header.workflow, header.state, header.created_at = workflow, state, created
    header.parent_execution_id = parent
    store.save(eid, decision_of([header]), [], 0, meta={"project_id": project})
    return eid


def test_list_views_by_project_workflow_and_state(store):
    project = f"p-{uuid.uuid4().hex[:6]}"
    a = _execution(store, project, "wf_a", "RUNNING", 100.0)
    b = _execution(store, project, "wf_b", "SUCCESS", 200.0)
    c = _execution(store, project, "wf_a", "SUCCESS", 300.0)
    _execution(store, "someone-else", "wf_a", "SUCCESS", 400.0)

    ids = lambda page: [h.id for h in page.items]  # noqa: E731
    assert ids(store.list_executions(project)) == [c, b, a]
    assert ids(store.list_executions(project, newest_first=False)) == [a, b, c]
    assert ids(store.list_executions(project, workflow="wf_a")) == [c, a]
    assert ids(store.list_executions(project, state="SUCCESS")) == [c, b]
    assert ids(store.list_executions(project, workflow="wf_a", state="RUNNING")) == [a]

    first = store.list_executions(project, limit=2)
    assert ids(first) == [c, b] and first.next is not None
    rest = store.list_executions(project, limit=2, start=first.next)
    assert ids(rest) == [a]


def test_the_state_index_follows_state_changes(store):
    project = f"p-{uuid.uuid4().hex[:6]}"
    eid = _execution(store, project, "wf", "RUNNING", 1.0)
    loaded = store.load(eid)
    loaded.state.header.state = "ERROR"
    store.save(eid, decision_of([loaded.state.header]), [], loaded.version)
    assert [h.id for h in store.list_executions(project, state="ERROR").items] == [eid]
    assert store.list_executions(project, state="RUNNING").items == []


def test_tasks_and_actions_by_their_own_id(store):
    eid = str(uuid.uuid4())
    task_id = str(uuid.uuid4())
    header = every_record(eid)[0]
    task = TaskRecord(id=task_id, name="t", seq=1)
    action = ActionRecord(id=f"{task_id}.1.0", task_id=task_id, run=1, index=0, name="std.noop", input={})
    child = str(uuid.uuid4())
    run = ActionRecord(id=child, task_id=task_id, run=1, index=1, name="sub", input={}, is_workflow=True)
    store.save(eid, decision_of([header, task, action, run]), [], 0)
    assert store.find_task(task_id) == (eid, task)
    assert store.find_action(action.id) == (eid, action)
    assert store.find_action(child) == (eid, run)
    assert store.find_task(str(uuid.uuid4())) is None
    assert store.find_action(f"{uuid.uuid4()}.1.0") is None
    assert [t.id for t in store.list_tasks(eid)] == [task_id]
    assert {a.id for a in store.list_actions(eid, task_id)} == {action.id}
    assert {a.id for a in store.list_actions(eid)} == {action.id, child}


def test_a_sub_workflow_run_is_found_from_its_child_execution_id(store):
    """The parent's action run of a sub-workflow has the child execution's id;
    the child's header (its own partition) must not shadow it in the index."""
    parent = str(uuid.uuid4())
    task_id = str(uuid.uuid4())
    child = _execution(store, "p", "sub", "RUNNING", 5.0, parent=parent)
    run = ActionRecord(id=child, task_id=task_id, run=1, index=0, name="sub", input={}, is_workflow=True)
    store.save(parent, decision_of([every_record(parent)[0], TaskRecord(id=task_id, name="t", seq=1), run]), [], 0)
    assert store.find_action(child) == (parent, run)
    assert store.get_execution(child)[0].parent_execution_id == parent
