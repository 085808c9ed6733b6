"""``GET /v2/workflows/<id>/graph`` and ``GET /v2/executions/<id>/graph``: Sirocco's
additions to the API for the console (Mistral has no such resources).

An execution's graph is drawn from the definition it started with (its pin,
persistence/pins.py), as the engine runs it, not from the workflow as it may
have been updated since. Errors are the API's own (404 in Mistral's words).
"""

from __future__ import annotations

from typing import Any

from sirocco.api.errors import not_found
from sirocco.api.executions import missing
from sirocco.api.workflows import find
from sirocco.persistence import pins

from .graph import graph_of


def workflow_graph(rt: Any, identifier: str, *, namespace: str = "") -> tuple[int, dict[str, Any]]:
    """The graph of a stored workflow (by id or name). A workbook member's lines
    are left out: the API shows its own lines, not the workbook's."""
    item = find(rt, identifier, namespace=namespace)
    meta = {"project_id": item.project_id, "namespace": item.namespace}
    spec = rt.catalog(meta, {item.name: item.definition}).workflow(item.name)
    if spec is None:
        raise not_found(f"Workflow not found [workflow_identifier={identifier}, namespace={namespace}]")
    graph = graph_of(spec, with_lines=not getattr(item, "workbook_name", None))
    return 200, {"id": item.id, **graph}


def execution_graph(rt: Any, execution_id: str) -> tuple[int, dict[str, Any]]:
    """The graph of the workflow an execution runs."""
    found = rt.executions.get_execution(execution_id)
    if found is None:
        raise missing(execution_id)
    header, meta = found
    text = pins.pinned(rt.executions, execution_id)
    spec = rt.catalog(meta, {header.workflow: text} if text else None).workflow(header.workflow)
    if spec is None:
        raise not_found(f"Workflow definition not found [workflow_name={header.workflow}, "
                        f"execution_id={execution_id}]")
    return 200, {"execution_id": execution_id, **graph_of(spec, with_lines=False)}
