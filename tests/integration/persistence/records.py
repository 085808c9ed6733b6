"""Records of every type with every field set away from its default, so that a
round trip that dropped or mangled a field shows."""

from __future__ import annotations

from sirocco.engine.records import ActionRecord, CallRecord, ExecutionRecord, ItemsRecord, TaskRecord


def every_record(eid: str, task_id: str = "t-1") -> list:
    header = ExecutionRecord(
        id=eid, workflow="wf", state="RUNNING", state_info="info", input={"a": 1, "l": [1, 2]},
        params={"env": {"k": "v"}, "task_name": None}, vars={"v": {"deep": [1, {"x": None}]}},
        output={"o": "ut"}, created_at=1_700_000_000.25, updated_at=1_700_000_001.5,
        parent_execution_id="p-ex", parent_task_id="p-task", parent_action_id="p-act", root_execution_id="root",
        active=3, unhandled={"t-9": "bad"}, last_task={"fan": task_id}, joins={"join": "t-3"},
        waiting_joins={"join": "t-3"}, final_ctx={"f": 1.5}, backlog=[("start", "t-2"), ("routes", task_id, [("task", "b", None)])],
        seq=7, reverse_missing={"b": 1}, reverse_dependents={"a": ("b", "c")}, reruns=["rr-1"])
    task = TaskRecord(
        id=task_id, name="fan", seq=1, state="RUNNING", state_info="si", created_at=1.0, updated_at=2.0,
        parents=("t-0",), depth=3, base={"ctx": 1}, published={"p": [1]}, kind="ACTION", runs=2, retries=1,
        accepted=[1, 2], result={"r": "esult"}, has_result=True, pending_state="SUCCESS", paused_before=True,
        timeout_call="c-1", items_total=3, items_next=2, items_running=1, items_done=1, items_failed=0,
        concurrency=2, item_indices=[0, 2], item_runs={0: 1, 2: 2}, arrived=["a", "b"], fired=True,
        pending_reruns=1, handled=True, has_next=True)
    action = ActionRecord(
        id=f"{task_id}.2.1", task_id=task_id, run=2, index=1, name="std.echo", input={"output": "x"},
        state="ERROR", result="boom", created_at=3.0, updated_at=4.0, is_workflow=False,
        transforms=("my.adhoc",), error_info="err")
    call = CallRecord(id="c-1", kind="retry", due=1_700_000_100.0, task_id=task_id, run=2, fired=True)
    items = ItemsRecord(task_id=task_id, items=[{"name": "a"}, {"name": ("t", 1)}, {}])
    return [header, task, action, call, items]
