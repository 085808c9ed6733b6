"""task(), tasks(), execution(), executions(), env(), global(), uuid() in both languages."""

import re

import pytest

from sirocco.expressions import NullRuntime, StaticRuntime, evaluate

WF = "wf-1"


def task(id, name, state="SUCCESS", type="ACTION", wf=WF, result=None, published=None):
    return {
        "id": id, "name": name, "spec": {"action": "std.noop"}, "state": state, "state_info": None,
        "result": result, "published": published or {}, "type": type, "workflow_execution_id": wf,
        "created_at": "2026-01-01 00:00:00", "updated_at": "2026-01-01 00:00:01",
    }


EXECUTION = {
    "id": WF, "name": "wf", "spec": {}, "input": {"x": 1}, "params": {"env": {"E": 1}},
    "created_at": "2026-01-01 00:00:00", "updated_at": "2026-01-01 00:00:01", "root_execution_id": None,
}


@pytest.fixture
def runtime():
    return StaticRuntime(
        tasks=[task("1", "first", result={"x": 1}, published={"p": 2}), task("2", "bad", state="ERROR"),
               task("3", "current", state="RUNNING")],
        current_task_id="3",
        execution=EXECUTION,
        env={"E": 1},
        globals={"gv": 5},
        uuids=["u-1", "u-2", "u-3"],
    )


@pytest.mark.parametrize("text", ["<% task(first).result %>", "{{ task('first').result }}",
                                  "<% task(taskName => first).result %>", "{{ task(task_name='first').result }}",
                                  "{{ (_ | task('first')).result }}"])
def test_task_by_name(runtime, text):
    # matches Mistral 23.0.0 (oracle server): task(name) gives the task's dict;
    # YAQL keyword names are camelCased (taskName), Jinja's are Mistral's own;
    # the Jinja filter form ignores the piped value
    assert evaluate(text, {}, runtime) == {"x": 1}


def test_task_shape(runtime):
    # matches Mistral 23.0.0 (oracle server): the keys of task()
    assert set(evaluate("<% task(first) %>", {}, runtime)) == {
        "id", "name", "spec", "state", "state_info", "result", "published", "type",
        "workflow_execution_id", "created_at", "updated_at"}


def test_task_without_name_is_the_current_task(runtime):
    assert evaluate("<% task().name %>", {}, runtime) == "current"
    assert evaluate("{{ task().state }}", {}, runtime) == "RUNNING"


def test_unknown_task_is_null(runtime):
    # matches Mistral 23.0.0 (oracle server): task(nope) -> null
    assert evaluate("<% task(nope) %>", {}, runtime) is None
    assert evaluate("{{ task('nope') }}", {}, runtime) is None


def test_tasks_with_filters(runtime):
    assert evaluate("<% tasks().name %>", {}, runtime) == ["first", "bad", "current"]
    assert evaluate("<% tasks(execution().id, state => ERROR).name %>", {}, runtime) == ["bad"]
    assert evaluate("<% tasks(workflowExecutionId => 'other') %>", {}, runtime) == []
    assert evaluate("{{ tasks(state='SUCCESS') | map(attribute='name') | list }}", {}, runtime) == ["first"]
    assert evaluate("{{ _ | tasks(none, false, 'RUNNING') | length }}", {}, runtime) == 1


def test_execution(runtime):
    assert evaluate("<% execution().id %>", {}, runtime) == WF
    assert evaluate("{{ execution().input }}", {}, runtime) == {"x": 1}
    assert evaluate("{{ _ | execution }}", {}, runtime) == EXECUTION


def test_executions(runtime):
    assert evaluate("<% executions(id => 'wf-1').name %>", {}, runtime) == ["wf"]
    assert evaluate("{{ executions(state='RUNNING') }}", {}, runtime) == []


def test_env(runtime):
    # matches Mistral 23.0.0 (oracle server): env() is the execution's env in both languages
    assert evaluate("<% env() %>", {}, runtime) == {"E": 1}
    assert evaluate("<% env().E %>", {}, runtime) == 1
    assert evaluate("{{ env() }}", {}, runtime) == {"E": 1}
    assert evaluate("{{ _ | env }}", {}, runtime) == {"E": 1}


def test_global(runtime):
    # matches Mistral 23.0.0 (oracle server): global(unknown) -> null
    assert evaluate("<% global(gv) %>", {}, runtime) == 5
    assert evaluate("<% global(varName => gv) %>", {}, runtime) == 5
    assert evaluate("{{ global('gv') }}", {}, runtime) == 5
    assert evaluate("{{ _ | global('gv') }}", {}, runtime) == 5
    assert evaluate("<% global(nope) %>", {}, runtime) is None


def test_uuid_comes_from_the_runtime(runtime):
    assert evaluate(["<% uuid() %>", "{{ uuid() }}", "{{ _ | uuid }}"], {}, runtime) == ["u-1", "u-2", "u-3"]


def test_default_uuid_is_random():
    first, second = evaluate(["<% uuid() %>", "{{ uuid() }}"], {})
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", first)
    assert first != second


def test_functions_with_no_runtime(fails):
    assert evaluate(["<% task() %>", "<% tasks() %>", "{{ execution() }}", "<% env() %>", "{{ global('x') }}"], {}) \
        == [None, [], None, {}, None]
    assert evaluate("<% task() %>", {}, NullRuntime()) is None


def test_unknown_functions_fail(fails):
    # matches Mistral 23.0.0 (oracle server): 'Unknown function "json_pp"' / 'is undefined'
    assert 'Unknown function "nope"' in fails("<% nope() %>").cause
    assert fails("{{ nope() }}").cause == "'nope' is undefined"
