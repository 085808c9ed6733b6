"""Helpers of the end-to-end tests: unique names, the client's errors, polling."""

from __future__ import annotations

import time
import uuid
from typing import Any, Callable

import pytest
import requests

from mistralclient.api.base import APIException

FINISHED = ("SUCCESS", "ERROR", "CANCELLED")
POLL = 0.1          # seconds between polls
WAIT = 30.0         # liveness bound of one wait (a loaded 2-core machine)


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def api_error(call: Callable[..., Any], *args: Any, **kwargs: Any) -> APIException:
    """The APIException the client raises for this call (fails if it does not raise one)."""
    with pytest.raises(APIException) as caught:
        call(*args, **kwargs)
    return caught.value


def wait_for(predicate: Callable[[], Any], what: str, timeout: float = WAIT, interval: float = POLL) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting after {timeout} s for {what}")
        time.sleep(interval)


def wait_execution(client: Any, execution_id: str, states: tuple[str, ...] = FINISHED,
                   timeout: float = WAIT) -> Any:
    """Poll the execution until its state is one of ``states``; return it."""
    last: list[Any] = [None]

    def reached() -> Any:
        last[0] = client.executions.get(execution_id)
        return last[0] if last[0].state in states else None

    try:
        return wait_for(reached, f"execution {execution_id} to reach {states}", timeout)
    except AssertionError as exc:
        state = getattr(last[0], "state", None)
        info = getattr(last[0], "state_info", None)
        raise AssertionError(f"{exc}; last state {state} ({info})") from None


def wait_task(client: Any, execution_id: str, name: str, states: tuple[str, ...],
              timeout: float = WAIT) -> Any:
    """Poll the execution's tasks until the one named ``name`` is in one of ``states``."""
    def reached() -> Any:
        for task in client.tasks.list(workflow_execution_id=execution_id):
            if task.name == name and task.state in states:
                return task
        return None

    return wait_for(reached, f"task {name} of {execution_id} to reach {states}", timeout)


def delete_quietly(call: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Clean-up that does not mask the test's own failure (the route may not exist yet)."""
    try:
        call(*args, **kwargs)
    except (APIException, requests.RequestException, ValueError):
        pass


def new_namespace() -> str:
    return "e2e" + uuid.uuid4().hex[:10]


def purge_namespace(client: Any, namespace: str) -> None:
    """Delete what a test left in its namespace: executions of its workflows (forced),
    workbooks, workflows, ad-hoc actions. Best effort: clean-up never fails a test."""
    try:
        workflows = client.workflows.list(namespace=namespace)
        for workflow in workflows:
            for execution in client.executions.list(workflow_id=workflow.id, fields=["state"]):
                delete_quietly(client.executions.delete, execution.id, force=True)
        for workbook in client.workbooks.list(namespace=namespace):
            delete_quietly(client.workbooks.delete, workbook.name, namespace=namespace)
        for workflow in client.workflows.list(namespace=namespace):
            delete_quietly(client.workflows.delete, workflow.id)
        for action in client.actions.list(namespace=namespace):
            delete_quietly(client.actions.delete, action.name, namespace=namespace)
    except (APIException, requests.RequestException, ValueError):
        pass
