"""The state of one workflow execution, split into small records.

A key-value store writes each record on its own: the execution header
(``EXEC``), one record per task execution (``TASK#<id>``), per action or
sub-workflow run (``ACTION#<id>``), per delayed call (``CALL#<id>``) and, for
with-items tasks, the evaluated item values (``ITEMS#<task id>``, written once).
An event touches the header, the record it is about and the few records it
creates or advances; ``ExecutionState.changed`` lists them for the shell.

Records are mutable while ``decide`` applies a batch (cheap in-place updates);
dict values they hold (published, contexts, results) are never mutated once
stored, so they may be shared between records safely.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import states


@dataclass(slots=True)
class ExecutionRecord:
    """The execution header: identity, state, data and the counters that make
    completion and impossible joins O(1) per event."""

    id: str
    workflow: str
    state: str = states.IDLE
    state_info: str | None = None
    input: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    vars: dict[str, Any] = field(default_factory=dict)
    output: dict[str, Any] | None = None
    created_at: float = 0.0
    updated_at: float = 0.0
    parent_execution_id: str | None = None
    parent_task_id: str | None = None
    parent_action_id: str | None = None
    root_execution_id: str | None = None
    # task executions not yet completed, WAITING joins excepted
    active: int = 0
    # task id -> name of ERROR tasks no on-error route handled
    unhandled: dict[str, str] = field(default_factory=dict)
    # task id -> name of CANCELLED tasks (a cancelled sub-workflow): the execution ends CANCELLED
    cancelled: dict[str, str] = field(default_factory=dict)
    # child execution id -> task id, for sub-workflow runs not finished yet (pause / resume /
    # cancel reach them without a scan of the tasks)
    children: dict[str, str] = field(default_factory=dict)
    # pause / resume between parent and child: signals sent to the children (numbered), the
    # last signal applied from the parent, and this execution's PAUSED <-> RUNNING changes
    # (numbered in its reports to the parent); stale or repeated ones are dropped by number
    signals_sent: int = 0
    parent_signal: int = 0
    suspensions: int = 0
    # sub-workflow runs PAUSED (Session.set_run_state counts them)
    paused_children: int = 0
    # task name -> id of its latest task execution (``task(name)``)
    last_task: dict[str, str] = field(default_factory=dict)
    # join task name -> its task execution id (one per name, as Mistral's unique key)
    joins: dict[str, str] = field(default_factory=dict)
    # join task name -> id, while it waits for arrivals
    waiting_joins: dict[str, str] = field(default_factory=dict)
    # published variables of end tasks (no next task), merged as they end
    final_ctx: dict[str, Any] = field(default_factory=dict)
    # work held back while PAUSED, replayed in order on resume
    backlog: list[tuple] = field(default_factory=list)
    # task creation counter (task order, ids)
    seq: int = 0
    # reverse workflows: requirements still missing per task, dependents per task
    reverse_missing: dict[str, int] | None = None
    reverse_dependents: dict[str, tuple[str, ...]] | None = None
    # ids of rerun events already applied
    reruns: list[str] = field(default_factory=list)
    # ids of the last user Pause / Resume events applied (at most LIFECYCLE_IDS): a repeated
    # delivery is a no-op even after the state changed again (a Resume delivered again after a
    # re-pause must not resume)
    lifecycle_ids: list[str] = field(default_factory=list)

    key = property(lambda self: "EXEC")


@dataclass(slots=True)
class TaskRecord:
    """One task execution. Holds its own published vars and a pointer to its
    parents (the context chain), never the whole context except every
    ``SNAPSHOT_EVERY`` generations (``base``)."""

    id: str
    name: str
    seq: int
    state: str = states.IDLE
    state_info: str | None = None
    created_at: float = 0.0
    updated_at: float = 0.0
    started_at: float | None = None
    finished_at: float | None = None
    parents: tuple[str, ...] = ()
    depth: int = 0
    base: dict[str, Any] | None = None  # the full inbound context, when depth == 0
    published: dict[str, Any] = field(default_factory=dict)
    kind: str = "ACTION"  # or "WORKFLOW"
    runs: int = 0  # action runs started (attempts, join re-runs, reruns)
    retries: int = 0  # retries done in the current series
    accepted: list[int] = field(default_factory=list)  # runs whose results count
    result: Any = None
    has_result: bool = False
    pending_state: str | None = None  # state to take when wait-after ends
    paused_before: bool = False  # pause-before already honoured
    timeout_call: str | None = None
    # with-items progress (counters, never a scan)
    items_total: int = -1  # -1: not a with-items task
    items_next: int = 0
    items_running: int = 0
    items_done: int = 0
    items_failed: int = 0
    concurrency: int = 0  # 0: unbounded
    item_indices: list[int] | None = None  # a partial rerun: only these indices run
    item_runs: dict[int, int] | None = None  # index -> run holding its result (partial rerun)
    # join progress: the inbound task names arrived (an ordered set), the arrivals by task
    # execution id -> its run count then (one per completion; arrival order is the order their
    # contexts merge in when the join fires or runs again), fired once its join condition was met
    # (a join failed as an impossible route is ERROR but not fired), arrivals while it runs
    arrived: list[str] | None = None
    sources: dict[str, int] | None = None
    fired: bool = False
    pending_reruns: int = 0
    # sub-workflow runs of the current run that are PAUSED (the task shows PAUSED while > 0)
    paused_runs: int = 0
    # transitions
    handled: bool = False
    has_next: bool = False

    @property
    def key(self) -> str:
        return f"TASK#{self.id}"


@dataclass(slots=True)
class ActionRecord:
    """One run of an action (or of a sub-workflow: then ``id`` is the child
    execution's id) for one item of one attempt of a task."""

    id: str
    task_id: str
    run: int
    index: int
    name: str
    input: dict[str, Any]
    state: str = states.RUNNING
    result: Any = None
    created_at: float = 0.0
    updated_at: float = 0.0
    is_workflow: bool = False
    transforms: tuple[str, ...] = ()  # ad-hoc actions whose output to apply, innermost first
    error_info: str | None = None  # a failed sub-workflow's state_info
    reported: int = 0  # a sub-workflow run: the number of the child's last state report applied

    @property
    def key(self) -> str:
        return f"ACTION#{self.id}"


@dataclass(slots=True)
class CallRecord:
    """A delayed call: what to do at ``due`` for which task run."""

    id: str
    kind: str  # wait-before | wait-after | retry | timeout
    due: float
    task_id: str
    run: int
    fired: bool = False

    @property
    def key(self) -> str:
        return f"CALL#{self.id}"


@dataclass(slots=True)
class ItemsRecord:
    """The evaluated with-items values of a task (one dict of bound variables
    per item), written once when the task starts."""

    task_id: str
    items: list[dict[str, Any]]

    @property
    def key(self) -> str:
        return f"ITEMS#{self.task_id}"


Record = ExecutionRecord | TaskRecord | ActionRecord | CallRecord | ItemsRecord


class ExecutionState:
    """All records of one execution as the shell loaded them, plus the keys
    changed by the batch being applied."""

    __slots__ = ("header", "tasks", "actions", "calls", "items", "changed")

    def __init__(self, header: ExecutionRecord | None = None) -> None:
        self.header = header
        self.tasks: dict[str, TaskRecord] = {}
        self.actions: dict[str, ActionRecord] = {}
        self.calls: dict[str, CallRecord] = {}
        self.items: dict[str, ItemsRecord] = {}
        self.changed: dict[str, Record] = {}

    @classmethod
    def new(cls, execution_id: str) -> "ExecutionState":
        """An execution about to be started by a ``StartExecution`` event."""
        return cls(ExecutionRecord(id=execution_id, workflow=""))

    def touch(self, record: Record) -> None:
        self.changed[record.key] = record

    def put_task(self, task: TaskRecord) -> None:
        self.tasks[task.id] = task
        self.changed[task.key] = task

    def put_action(self, action: ActionRecord) -> None:
        self.actions[action.id] = action
        self.changed[action.key] = action

    def put_call(self, call: CallRecord) -> None:
        self.calls[call.id] = call
        self.changed[call.key] = call

    def put_items(self, items: ItemsRecord) -> None:
        self.items[items.task_id] = items
        self.changed[items.key] = items

    def task_list(self) -> list[TaskRecord]:
        """Task executions in creation order (for views and lifecycle events only)."""
        return sorted(self.tasks.values(), key=lambda t: t.seq)
