"""Mistral's expression functions, as plain Python over a Runtime.

Both engines expose these under the same names and parameter names as Mistral
(``task(task_name)``, ``tasks(workflow_execution_id, recursive, state, flat)``,
``global(var_name)`` ...); YAQL's naming convention turns the keyword names into
camelCase (``tasks(workflowExecutionId => ...)``), exactly as in Mistral.

``json_pp`` is kept as an alias of ``json_dump`` for old workflows: Mistral 23.0.0
no longer has it (it answers 'Unknown function "json_pp"').
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import serialization
from .runtime import Runtime

# Functions that read the execution (the runtime) and those that only transform data.
CONTEXT_FUNCTIONS = ("task", "tasks", "execution", "executions", "env", "global", "uuid")
DATA_FUNCTIONS = ("json_parse", "json_dump", "json_pp", "yaml_parse", "yaml_dump")
FUNCTION_NAMES = CONTEXT_FUNCTIONS + DATA_FUNCTIONS

DATA_IMPLEMENTATIONS: dict[str, Callable[[Any], Any]] = {
    "json_parse": serialization.json_parse,
    "json_dump": serialization.json_dump,
    "json_pp": serialization.json_dump,
    "yaml_parse": serialization.yaml_parse,
    "yaml_dump": serialization.yaml_dump,
}


def bind(runtime: Runtime) -> dict[str, Callable[..., Any]]:
    """The functions of one evaluation, closed over its runtime (Jinja globals)."""

    def task(task_name: str | None = None) -> Any:
        return runtime.task(task_name)

    def tasks(workflow_execution_id: str | None = None, recursive: bool = False,
              state: str | None = None, flat: bool = False) -> Any:
        return runtime.tasks(workflow_execution_id, recursive, state, flat)

    def execution() -> Any:
        return runtime.execution()

    def executions(id: str | None = None, root_execution_id: str | None = None, state: str | None = None,
                   from_time: str | None = None, to_time: str | None = None) -> Any:
        return runtime.executions(id, root_execution_id, state, from_time, to_time)

    def env() -> Any:
        return runtime.env()

    def global_(var_name: str) -> Any:
        return runtime.global_var(var_name)

    def uuid() -> str:
        return runtime.new_uuid()

    bound: dict[str, Callable[..., Any]] = {
        "task": task, "tasks": tasks, "execution": execution, "executions": executions,
        "env": env, "global": global_, "uuid": uuid,
    }
    for name, implementation in DATA_IMPLEMENTATIONS.items():
        bound[name] = _data_function(implementation)
    return bound


def _data_function(implementation: Callable[[Any], Any]) -> Callable[..., Any]:
    def call(data: Any) -> Any:
        return implementation(data)

    call.__name__ = implementation.__name__
    return call
