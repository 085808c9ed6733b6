"""Workflow and task states and their legal transitions, as data.

Every change of state goes through ``check_workflow`` / ``check_task``: an
illegal transition is an engine bug, never a user error, so it raises.
Names are Mistral's (the REST API shows them as they are).
"""

from __future__ import annotations

IDLE = "IDLE"
WAITING = "WAITING"
RUNNING = "RUNNING"
RUNNING_DELAYED = "RUNNING_DELAYED"
PAUSED = "PAUSED"
SUCCESS = "SUCCESS"
ERROR = "ERROR"
CANCELLED = "CANCELLED"
SKIPPED = "SKIPPED"

COMPLETED: frozenset[str] = frozenset({SUCCESS, ERROR, CANCELLED, SKIPPED})

WORKFLOW_TRANSITIONS: dict[str, frozenset[str]] = {
    IDLE: frozenset({RUNNING, ERROR, CANCELLED}),
    RUNNING: frozenset({PAUSED, SUCCESS, ERROR, CANCELLED}),
    PAUSED: frozenset({RUNNING, ERROR, CANCELLED, SUCCESS}),
    SUCCESS: frozenset(),
    ERROR: frozenset({RUNNING}),  # rerun of a failed task
    CANCELLED: frozenset(),
}

TASK_TRANSITIONS: dict[str, frozenset[str]] = {
    IDLE: frozenset({RUNNING, RUNNING_DELAYED, WAITING, ERROR, CANCELLED, PAUSED}),
    WAITING: frozenset({RUNNING, RUNNING_DELAYED, IDLE, ERROR, CANCELLED}),
    RUNNING_DELAYED: frozenset({RUNNING, SUCCESS, ERROR, CANCELLED, PAUSED}),
    RUNNING: frozenset({RUNNING_DELAYED, SUCCESS, ERROR, CANCELLED, PAUSED}),
    PAUSED: frozenset({RUNNING, RUNNING_DELAYED, ERROR, CANCELLED}),
    # join re-runs and reruns bring a completed task back to RUNNING
    # ... and an expression failing after the action (publish, guard) fails it
    SUCCESS: frozenset({RUNNING, RUNNING_DELAYED, ERROR}),
    # ... and a join failed as an impossible route fires after all (a rerun upstream): IDLE
    ERROR: frozenset({RUNNING, RUNNING_DELAYED, SKIPPED, IDLE}),
    CANCELLED: frozenset({RUNNING}),
    SKIPPED: frozenset(),
}

ACTION_TRANSITIONS: dict[str, frozenset[str]] = {
    # PAUSED: a sub-workflow run whose child execution is paused
    RUNNING: frozenset({SUCCESS, ERROR, CANCELLED, PAUSED}),
    PAUSED: frozenset({RUNNING, SUCCESS, ERROR, CANCELLED}),
    SUCCESS: frozenset(),
    ERROR: frozenset(),
    CANCELLED: frozenset(),
}


class IllegalTransition(RuntimeError):
    """The engine tried a state change its tables do not allow (a bug)."""


def _check(kind: str, table: dict[str, frozenset[str]], old: str, new: str) -> str:
    if old != new and new not in table.get(old, frozenset()):
        raise IllegalTransition(f"{kind} cannot go from {old} to {new}")
    return new


def check_workflow(old: str, new: str) -> str:
    return _check("workflow execution", WORKFLOW_TRANSITIONS, old, new)


def check_task(old: str, new: str) -> str:
    return _check("task execution", TASK_TRANSITIONS, old, new)


def check_action(old: str, new: str) -> str:
    return _check("action execution", ACTION_TRANSITIONS, old, new)


def is_completed(state: str) -> bool:
    return state in COMPLETED
