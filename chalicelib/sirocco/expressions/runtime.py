"""What Mistral's context functions (``task()``, ``execution()``, ``env()`` ...) read.

The expressions layer stays pure: it never reads a database. The engine passes a
``Runtime`` that answers from the execution state it already holds. ``StaticRuntime``
is a plain in-memory one for the engine's tests and for tools; ``NullRuntime`` is the
default when no execution is around (validation, pure evaluation).

Dict shapes are Mistral 23.0.0's (checked on a real server); timestamps are strings
``"YYYY-MM-DD HH:MM:SS"`` as Mistral renders them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol, TypedDict, runtime_checkable

ACTION_TASK = "ACTION"
WORKFLOW_TASK = "WORKFLOW"


class TaskInfo(TypedDict):
    """One task execution as ``task()`` and ``tasks()`` return it."""

    id: str
    name: str
    spec: dict[str, Any]
    state: str
    state_info: str | None
    result: Any
    published: dict[str, Any]
    type: str  # "ACTION" or "WORKFLOW"
    workflow_execution_id: str
    created_at: str
    updated_at: str | None


class ExecutionInfo(TypedDict, total=False):
    """A workflow execution as ``execution()`` returns it (the first eight keys).

    ``executions()`` returns the same shape; ``state`` and ``task_execution_id`` (the
    parent task of a sub-workflow) are used by ``StaticRuntime`` to filter.
    """

    id: str
    name: str
    spec: dict[str, Any]
    input: dict[str, Any]
    params: dict[str, Any]
    created_at: str
    updated_at: str
    root_execution_id: str | None
    state: str
    task_execution_id: str | None


@runtime_checkable
class Runtime(Protocol):
    """Answers the context functions of one evaluation."""

    def task(self, name: str | None = None) -> TaskInfo | None:
        """``task(name)``: the current task if ``name`` is None or is the current task's
        name, else the last run of that task in this execution; None if there is none."""

    def tasks(
        self,
        workflow_execution_id: str | None = None,
        recursive: bool = False,
        state: str | None = None,
        flat: bool = False,
    ) -> list[TaskInfo]:
        """``tasks(...)``: task executions of a workflow execution (all visible ones if
        ``workflow_execution_id`` is None, as in Mistral), optionally those of its
        sub-workflows (``recursive``), only in ``state``, and with ``flat`` only tasks
        whose sub-workflows ended in a different state (i.e. not mere wrappers)."""

    def execution(self) -> ExecutionInfo | None:
        """``execution()``: the running workflow execution."""

    def executions(
        self,
        id: str | None = None,
        root_execution_id: str | None = None,
        state: str | None = None,
        from_time: str | None = None,
        to_time: str | None = None,
    ) -> list[ExecutionInfo]:
        """``executions(...)``: workflow executions matching every given filter
        (``from_time`` <= created_at < ``to_time``)."""

    def env(self) -> dict[str, Any]:
        """``env()``: the execution's environment (``params.env``)."""

    def global_var(self, name: str) -> Any:
        """``global(name)``: a variable published to the workflow's global scope, or None."""

    def new_uuid(self) -> str:
        """``uuid()``: a fresh UUID string; an engine that must replay deterministically
        derives it from the event being applied."""


class NullRuntime:
    """No execution around: no tasks, no globals, an empty env, random UUIDs."""

    def task(self, name: str | None = None) -> TaskInfo | None:
        return None

    def tasks(self, workflow_execution_id: str | None = None, recursive: bool = False,
              state: str | None = None, flat: bool = False) -> list[TaskInfo]:
        return []

    def execution(self) -> ExecutionInfo | None:
        return None

    def executions(self, id: str | None = None, root_execution_id: str | None = None, state: str | None = None,
                   from_time: str | None = None, to_time: str | None = None) -> list[ExecutionInfo]:
        return []

    def env(self) -> dict[str, Any]:
        return {}

    def global_var(self, name: str) -> Any:
        return None

    def new_uuid(self) -> str:
        return str(uuid.uuid4())


class StaticRuntime:
    """A runtime over plain data held in memory, with Mistral's lookup rules."""

    def __init__(
        self,
        *,
        tasks: Sequence[TaskInfo] = (),
        current_task_id: str | None = None,
        execution: ExecutionInfo | None = None,
        executions: Sequence[ExecutionInfo] = (),
        env: Mapping[str, Any] | None = None,
        globals: Mapping[str, Any] | None = None,
        uuids: Iterable[str] | None = None,
    ) -> None:
        self._tasks = tuple(tasks)
        self._current_task_id = current_task_id
        self._execution = execution
        known = tuple(executions)
        if execution is not None and all(e.get("id") != execution.get("id") for e in known):
            known = (execution, *known)
        self._executions = known
        self._env = dict(env or {})
        self._globals = dict(globals or {})
        self._uuids: Iterator[str] | None = iter(uuids) if uuids is not None else None

    def task(self, name: str | None = None) -> TaskInfo | None:
        current = next((t for t in self._tasks if t["id"] == self._current_task_id), None)
        if current is not None and (not name or current["name"] == name):
            return current
        if not name:
            return None
        wf_id = self._execution.get("id") if self._execution else None
        runs = [t for t in self._tasks if t["name"] == name and (wf_id is None or t["workflow_execution_id"] == wf_id)]
        return runs[-1] if runs else None

    def tasks(self, workflow_execution_id: str | None = None, recursive: bool = False,
              state: str | None = None, flat: bool = False) -> list[TaskInfo]:
        found = [t for t in self._tasks if not workflow_execution_id or t["workflow_execution_id"] == workflow_execution_id]
        nested: list[TaskInfo] = []
        if recursive and workflow_execution_id:
            for t in found:
                if t["type"] == WORKFLOW_TASK:
                    for sub in self._children(t["id"]):
                        nested.extend(self.tasks(sub["id"], recursive, state, flat))
        if state or flat:
            found = [t for t in found if self._passes(t, state, flat)]
        return found + nested

    def _children(self, task_id: str) -> list[ExecutionInfo]:
        return [e for e in self._executions if e.get("task_execution_id") == task_id]

    def _passes(self, t: TaskInfo, state: str | None, flat: bool) -> bool:
        if state and t["state"] != state:
            return False
        if flat and t["type"] != ACTION_TASK:
            return all(sub.get("state") != t["state"] for sub in self._children(t["id"]))
        return True

    def execution(self) -> ExecutionInfo | None:
        return self._execution

    def executions(self, id: str | None = None, root_execution_id: str | None = None, state: str | None = None,
                   from_time: str | None = None, to_time: str | None = None) -> list[ExecutionInfo]:
        def keep(e: ExecutionInfo) -> bool:
            created = str(e.get("created_at", ""))
            return (
                (id is None or e.get("id") == id)
                and (root_execution_id is None or e.get("root_execution_id") == root_execution_id)
                and (state is None or e.get("state") == state)
                and (from_time is None or created >= str(from_time))
                and (to_time is None or created < str(to_time))
            )

        return [e for e in self._executions if keep(e)]

    def env(self) -> dict[str, Any]:
        return self._env

    def global_var(self, name: str) -> Any:
        return self._globals.get(name)

    def new_uuid(self) -> str:
        if self._uuids is not None:
            return next(self._uuids)
        return str(uuid.uuid4())
