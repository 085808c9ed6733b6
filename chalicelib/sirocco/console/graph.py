"""A workflow spec as a graph the console draws: tasks as nodes, transitions as edges.

Pure (the language layer only). Node ids are prefixed (``t:`` tasks, ``c:``
engine commands) because task names are free text and a task may be named
like a command. A direct workflow's edges are its ``on-*`` transitions; a
reverse workflow's are its ``requires`` (from the required task to the task
needing it). ``fail``/``succeed``/``pause`` become a small node of their own
per task, so that a glance shows where a branch ends the workflow; ``noop``
does nothing and is left out.
"""

from __future__ import annotations

import json
from typing import Any

from sirocco.language import RetrySpec, TaskSpec, Transition, WorkflowSpec

CLAUSES = (("on_success", "success"), ("on_error", "error"), ("on_complete", "complete"), ("on_skip", "skip"))


def task_id(name: str) -> str:
    return f"t:{name}"


def graph_of(spec: WorkflowSpec, *, with_lines: bool = True) -> dict[str, Any]:
    """``{"name", "type", "nodes", "edges"}`` of one workflow. ``with_lines``: keep
    each task's line (only meaningful when the text shown is the text parsed)."""
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    starts = set(spec.start_tasks)
    for task in spec.tasks.values():
        node = _task_node(task, start=task.name in starts if spec.type == "direct" else not task.requires)
        if not with_lines:
            node["line"] = None
        nodes.append(node)
        if spec.type == "reverse":
            edges.extend({"source": task_id(needed), "target": task_id(task.name), "on": "requires",
                          "condition": None} for needed in task.requires)
            continue
        for attribute, kind in CLAUSES:
            for index, transition in enumerate(getattr(task, attribute)):
                target = _target(task, kind, index, transition, nodes)
                if target is not None:
                    edges.append({"source": task_id(task.name), "target": target, "on": kind,
                                  "condition": transition.condition})
    return {"name": spec.name, "type": spec.type, "nodes": nodes, "edges": edges}


def _target(task: TaskSpec, kind: str, index: int, transition: Transition, nodes: list[dict[str, Any]]) -> str | None:
    """The id an edge leads to; adds the command node an engine command needs."""
    if transition.kind == "task":
        return task_id(transition.target)
    if transition.kind == "noop":
        return None
    node_id = f"c:{task.name}:{kind}:{index}"
    nodes.append({"id": node_id, "kind": "command", "name": transition.kind,
                  "msg": None if transition.msg is None else _text(transition.msg)})
    return node_id


def _task_node(task: TaskSpec, *, start: bool) -> dict[str, Any]:
    return {
        "id": task_id(task.name),
        "kind": "task",
        "name": task.name,
        "type": task.kind,
        "action": task.action if task.workflow is None else None,
        "workflow": task.workflow,
        "description": task.description,
        "start": start,
        "join": task.join,
        "with_items": [f"{var} in {_text(source)}" for var, source in task.with_items],
        "concurrency": task.concurrency,
        "retry": _retry(task.retry),
        "line": task.line,
    }


def _retry(retry: RetrySpec | None) -> dict[str, Any] | None:
    if retry is None:
        return None
    return {"count": retry.count, "delay": retry.delay}


def _text(value: Any) -> str:
    """An expression as written, or a literal (a with-items list, a message) as JSON."""
    return value if isinstance(value, str) else json.dumps(value)
