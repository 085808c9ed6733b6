"""``/v2/executions/<id>/report`` and ``/v2/executions/<id>/executions``: an execution's tree.

Both walk the tree as Mistral 23 does (``execution_report``, ``sub_execution``): tasks in
creation order, and under each workflow task its sub-executions, depth first. The root has
depth 0, its tasks depth 1, and the sub-executions of a task the task's depth; an execution
deeper than ``max_depth`` (when >= 0) is left out of the sub-execution list, and shown in a
report without its tasks. ``errors_only`` skips tasks not in ERROR (and what is under them),
never the root. The tree comes from the partitions (strongly consistent): a workflow task's
action runs are its sub-executions (the run id is the child execution's id).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Mapping

from sirocco.engine import states
from sirocco.engine.records import ActionRecord, ExecutionRecord, TaskRecord
from sirocco.persistence.settings import DEFAULT_PROJECT

from . import views
from .errors import bad_request
from .executions import missing

#: previous successful executions of the same workflow an estimate averages (Mistral's 20)
ESTIMATE_SAMPLE = 20
#: index entries an estimate reads at most to find them
ESTIMATE_READ = 200
_COUNTED = {states.RUNNING: "running", states.SUCCESS: "success", states.ERROR: "error", states.IDLE: "idle",
            states.PAUSED: "paused"}


def options(params: Mapping[str, str], allowed: tuple[str, ...]) -> None:
    """Mistral refuses query parameters a tree endpoint does not take."""
    for name in params:
        if name not in allowed:
            raise bad_request(f'Unknown argument: "{name}"')


def depth(params: Mapping[str, str]) -> int:
    raw = params.get("max_depth")
    if raw in (None, ""):
        return -1
    try:
        return int(raw)
    except ValueError as exc:
        raise bad_request(f"Invalid input for field/attribute max_depth. Value: '{raw}'. unable to convert to "
                          f"int. Error: {exc}") from None


@dataclass
class Statistics:
    """Mistral's ExecutionReportStatistics: tasks by state (only these five states count)."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_COUNTED.values(), 0))

    def add(self, state: str) -> None:
        if state in _COUNTED:
            self.counts[_COUNTED[state]] += 1

    def body(self, estimated_time: int) -> dict[str, Any]:
        c = self.counts
        return {"total_tasks_count": sum(c.values()), "running_tasks_count": c["running"],
                "success_tasks_count": c["success"], "error_tasks_count": c["error"],
                "idle_tasks_count": c["idle"], "paused_tasks_count": c["paused"], "estimated_time": estimated_time}


@dataclass
class Walk:
    rt: Any
    errors_only: bool
    max_depth: int

    def pruned(self, level: int) -> bool:
        return 0 <= self.max_depth < level

    def tasks(self, execution_id: str) -> list[TaskRecord]:
        """The execution's tasks in creation order, less those ``errors_only`` skips."""
        found = self.rt.executions.list_tasks(execution_id)
        return [t for t in found if not self.errors_only or t.state == states.ERROR]

    def children(self, execution_id: str, task: TaskRecord) -> list[str]:
        if task.kind != "WORKFLOW":
            return []
        runs = self.rt.executions.list_actions(execution_id, task.id)
        return [r.id for r in sorted(runs, key=lambda r: (r.run, r.index))]


def sub_executions(rt: Any, execution_id: str, *, errors_only: bool = False, max_depth: int = -1,
                   include_output: bool = False) -> tuple[int, dict[str, Any]]:
    """GET /v2/executions/<id>/executions: the execution itself, then the executions under it."""
    walk = Walk(rt, errors_only, max_depth)
    leave_out = () if include_output else ("output",)
    out: list[dict[str, Any]] = []

    def visit(eid: str, level: int) -> bool:
        if walk.pruned(level):
            return True
        found = rt.executions.get_execution(eid)
        if found is None:
            return False  # deleted meanwhile (or, for the root, unknown)
        out.append(views.execution(*found, published_global=False, leave_out=leave_out))
        for task in walk.tasks(eid):
            for child in walk.children(eid, task):
                visit(child, level + 1)
        return True

    if not visit(execution_id, 0):
        raise missing(execution_id)
    return 200, {"executions": out}


def report(rt: Any, execution_id: str, *, errors_only: bool = False, max_depth: int = -1,
           statistics_only: bool = False) -> tuple[int, dict[str, Any]]:
    """GET /v2/executions/<id>/report: statistics and the tree of executions, tasks and actions."""
    found = rt.executions.get_execution(execution_id)
    if found is None:
        raise missing(execution_id)
    walk = Walk(rt, errors_only, max_depth)
    stats = Statistics()
    root = _execution_entry(walk, stats, execution_id, 0, with_actions=not statistics_only)
    body: dict[str, Any] = {"statistics": stats.body(_estimate(rt, *found))}
    if not statistics_only:
        body["root_workflow_execution"] = root
    return 200, body


def _entry(record: Any, name: str) -> dict[str, Any]:
    return {"id": record.id, "name": name, "created_at": views.stamp(record.created_at),
            "updated_at": views.stamp(record.updated_at), "state": record.state,
            "state_info": getattr(record, "state_info", None)}


def _execution_entry(walk: Walk, stats: Statistics, execution_id: str, level: int, *,
                     with_actions: bool) -> dict[str, Any] | None:
    found = walk.rt.executions.get_execution(execution_id)
    if found is None:
        return None
    header: ExecutionRecord = found[0]
    entry = _entry(header, header.workflow)
    if walk.pruned(level):
        return entry
    runs: dict[str, list[ActionRecord]] = defaultdict(list)
    if with_actions:
        for run in walk.rt.executions.list_actions(execution_id):
            runs[run.task_id].append(run)
    entry["task_executions"] = []
    for task in walk.tasks(execution_id):
        stats.add(task.state)
        entry["task_executions"].append(_task_entry(walk, stats, execution_id, task, runs.get(task.id), level + 1))
    return entry


def _task_entry(walk: Walk, stats: Statistics, execution_id: str, task: TaskRecord,
                runs: list[ActionRecord] | None, level: int) -> dict[str, Any]:
    """A task with its action runs and sub-executions (``runs`` None: statistics only)."""
    entry: dict[str, Any] = {"action_executions": [], "workflow_executions": []}
    if task.retries:
        entry["retry_count"] = task.retries
    entry.update(_entry(task, task.name))
    if runs is None:
        for child in walk.children(execution_id, task):
            _execution_entry(walk, stats, child, level, with_actions=False)
        return entry
    for run in sorted(runs, key=lambda r: (r.run, r.index)):
        if run.is_workflow:
            child_entry = _execution_entry(walk, stats, run.id, level, with_actions=True)
            if child_entry is not None:
                entry["workflow_executions"].append(child_entry)
        else:
            entry["action_executions"].append(_action_entry(task, run))
    return entry


def _action_entry(task: TaskRecord, run: ActionRecord) -> dict[str, Any]:
    """Mistral's ActionExecutionReportEntry; ``accepted``: the run whose result the task took
    (Sirocco has no heartbeats: ``last_heartbeat`` is the run's start)."""
    item_run = (task.item_runs or {}).get(run.index)
    counts = run.run == item_run if item_run is not None else run.run in task.accepted
    return {"accepted": states.is_completed(run.state) and counts, "last_heartbeat": views.stamp(run.created_at),
            **_entry(run, run.name), "state_info": None}


def _estimate(rt: Any, header: ExecutionRecord, meta: Mapping[str, Any]) -> int:
    """Mistral's ``estimated_time``: 0 unless RUNNING; else the mean run time of the first
    successful executions of the same workflow less this one's time so far (at least 1),
    -1 when there are none."""
    if header.state != states.RUNNING:
        return 0
    workflow_id = meta.get("workflow_id")
    if not workflow_id:
        return -1
    store = rt.executions
    project = meta.get("project_id") or DEFAULT_PROJECT
    entries = store.index_entries("workflow_id", str(workflow_id), project, newest_first=False)
    ids = [eid for eid, _ in islice(entries, ESTIMATE_READ)]
    found = store.headers(ids)
    took = [int(h.updated_at - h.created_at) for h, _ in (found[i] for i in ids if i in found)
            if h.state == states.SUCCESS][:ESTIMATE_SAMPLE]
    if not took:
        return -1
    left = sum(took) / len(took) - int(rt.clock() - header.created_at)
    return 1 if left < 0 else int(left)
