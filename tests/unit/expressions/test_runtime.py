"""StaticRuntime follows Mistral's lookup rules; NullRuntime answers for no execution."""

from sirocco.expressions import NullRuntime, Runtime, StaticRuntime


def task(id, name, wf="wf", state="SUCCESS", type="ACTION"):
    return {"id": id, "name": name, "spec": {}, "state": state, "state_info": None, "result": None,
            "published": {}, "type": type, "workflow_execution_id": wf,
            "created_at": "2026-01-01 00:00:00", "updated_at": None}


def test_both_runtimes_satisfy_the_protocol():
    assert isinstance(NullRuntime(), Runtime)
    assert isinstance(StaticRuntime(), Runtime)


def test_task_by_name_is_the_last_run_in_this_execution():
    # matches Mistral 23.0.0: task(name) is the last run of that name (README of the oracle)
    runtime = StaticRuntime(tasks=[task("1", "t"), task("2", "t"), task("3", "t", wf="other")],
                            execution={"id": "wf"})
    assert runtime.task("t")["id"] == "2"


def test_current_task_wins_over_other_runs_of_its_name():
    runtime = StaticRuntime(tasks=[task("1", "t"), task("2", "t")], current_task_id="1")
    assert runtime.task("t")["id"] == "1"
    assert runtime.task()["id"] == "1"
    assert StaticRuntime(tasks=[task("1", "t")]).task() is None


def test_tasks_recursive_and_flat():
    tasks = [task("1", "sub", type="WORKFLOW", state="ERROR"), task("2", "a"),
             task("3", "inner", wf="child", state="ERROR"), task("4", "x", wf="unrelated")]
    child = {"id": "child", "task_execution_id": "1", "state": "ERROR"}
    runtime = StaticRuntime(tasks=tasks, execution={"id": "wf"}, executions=[child])
    assert [t["id"] for t in runtime.tasks("wf")] == ["1", "2"]
    assert [t["id"] for t in runtime.tasks("wf", recursive=True)] == ["1", "2", "3"]
    assert [t["id"] for t in runtime.tasks("wf", recursive=True, state="ERROR")] == ["1", "3"]
    # flat: a sub-workflow task that ended in its sub-workflow's state is a mere wrapper
    assert [t["id"] for t in runtime.tasks("wf", recursive=True, state="ERROR", flat=True)] == ["3"]
    assert len(runtime.tasks()) == 4  # no execution id: every task it knows (as Mistral)


def test_executions_filters():
    executions = [
        {"id": "a", "root_execution_id": None, "state": "SUCCESS", "created_at": "2026-01-01 00:00:00"},
        {"id": "b", "root_execution_id": "a", "state": "ERROR", "created_at": "2026-01-02 00:00:00"},
    ]
    runtime = StaticRuntime(executions=executions)
    assert [e["id"] for e in runtime.executions(root_execution_id="a")] == ["b"]
    assert [e["id"] for e in runtime.executions(state="SUCCESS")] == ["a"]
    assert [e["id"] for e in runtime.executions(from_time="2026-01-02")] == ["b"]
    assert [e["id"] for e in runtime.executions(to_time="2026-01-02")] == ["a"]
    assert [e["id"] for e in StaticRuntime(execution={"id": "x"}).executions()] == ["x"]


def test_env_globals_and_uuids():
    runtime = StaticRuntime(env={"E": 1}, globals={"g": [1]}, uuids=iter(["u1"]))
    assert runtime.env() == {"E": 1}
    assert runtime.global_var("g") == [1]
    assert runtime.global_var("nope") is None
    assert runtime.new_uuid() == "u1"


def test_null_runtime():
    runtime = NullRuntime()
    assert (runtime.task(), runtime.tasks(), runtime.execution(), runtime.executions(), runtime.env(),
            runtime.global_var("x")) == (None, [], None, [], {}, None)
    assert runtime.new_uuid() != runtime.new_uuid()
