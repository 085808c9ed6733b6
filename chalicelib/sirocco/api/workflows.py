"""``/v2/workflows``: upload (text/plain YAML, several workflows a document) and get.

As Mistral, each workflow of a document is stored on its own with its own
``definition``: the document's ``version`` and that workflow's section,
dumped again as YAML (``_cut_wf_definition_from_all``), ``checksum`` the MD5
of that text, ``input`` the signature string and ``interface`` its input and
output names. The engine parses the stored definition (docs/shell.md).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import yaml

from sirocco.language import ValidationFailed, parse_workflows
from sirocco.language.errors import Errors
from sirocco.language.yaml_loader import load as load_yaml
from sirocco.persistence.definitions import DuplicateDefinition
from sirocco.persistence.settings import DEFAULT_PROJECT

from . import views
from .errors import ApiError, bad_request, conflict, not_found

SCOPES = ("private", "public")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def _plain(value: Any) -> Any:
    """YAML loader values (line-aware dict and list subclasses) as plain ones."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def cut_definition(version: Any, name: str, body: Any) -> str:
    """One workflow's definition text, as Mistral stores it."""
    return yaml.safe_dump({"version": version, name: body}, sort_keys=False)


def input_string(raw_input: Any) -> str:
    """Mistral's ``input`` field: ``name, greeting="Hi"``."""
    parts = []
    for param in raw_input or []:
        if isinstance(param, dict):
            parts.extend(f'{k}="{v}"' for k, v in param.items())
        else:
            parts.append(str(param))
    return ", ".join(parts)


def interface(body: Any) -> dict[str, Any]:
    output = body.get("output") if isinstance(body, dict) else None
    return {"input": list(body.get("input") or []) if isinstance(body, dict) else [],
            "output": list(output) if isinstance(output, dict) else []}


def create(rt: Any, text: str, *, namespace: str = "", scope: str = "private",
           project_id: str = DEFAULT_PROJECT) -> tuple[int, dict[str, Any]]:
    """POST /v2/workflows: 201 ``{"workflows": [...]}``; 400 for an invalid
    document; 409 if a workflow of that name exists (then none is created)."""
    if scope not in SCOPES:
        raise bad_request(f"Scope must be one of the following: {list(SCOPES)}; actual: {scope}")
    try:
        specs = parse_workflows(text)
    except ValidationFailed as exc:
        raise bad_request(str(exc), short=True) from None
    root = _plain(load_yaml(text, Errors()))
    defs = rt.definitions
    for spec in specs:
        if defs.get("workflow", spec.name, namespace=namespace, project_id=project_id, include_public=False):
            raise conflict("Duplicate entry for WorkflowDefinition ['name', 'namespace', 'project_id']: "
                           f"{spec.name}, {namespace}, {project_id}", short=True)
    created: list[Any] = []
    try:
        for spec in specs:
            body = root[spec.name]
            definition = cut_definition(root["version"], spec.name, body)
            parse_workflows(definition)  # what the engine will read must be what was checked
            face = interface(body)
            summary = {"type": spec.type, "input": face["input"], "output": face["output"],
                       "tasks": list(spec.tasks), "tags": list(spec.tags)}
            created.append(defs.create(
                "workflow", spec.name, namespace=namespace, project_id=project_id, scope=scope,
                definition=definition, spec=summary, input=input_string(body.get("input")), interface=face,
                checksum=hashlib.md5(definition.encode("utf-8"), usedforsecurity=False).hexdigest(),
                tags=list(spec.tags) or None))
    except DuplicateDefinition as exc:  # created by someone else meanwhile: leave nothing half-written
        _undo(defs, created)
        raise conflict(f"Duplicate entry for WorkflowDefinition: {exc}", short=True) from None
    except ValidationFailed as exc:
        _undo(defs, created)
        raise bad_request(str(exc), short=True) from None
    except Exception:
        _undo(defs, created)
        raise
    return 201, {"workflows": [views.workflow(item, created=True) for item in created]}


def _undo(defs: Any, created: list[Any]) -> None:
    for item in created:
        defs.delete("workflow", item.name, namespace=item.namespace, project_id=item.project_id)


def find(rt: Any, identifier: str, *, namespace: str = "", project_id: str = DEFAULT_PROJECT) -> Any:
    """A workflow by id or name (in ``namespace``); ApiError 404 if none."""
    item = None
    if _UUID.match(identifier):
        item = rt.definitions.get_by_id(identifier, kind="workflow")
    if item is None:
        item = rt.definitions.get("workflow", identifier, namespace=namespace, project_id=project_id)
    if item is None:
        raise not_found(f"Workflow not found [workflow_identifier={identifier}, namespace={namespace}]")
    return item


def get(rt: Any, identifier: str, *, namespace: str = "", project_id: str = DEFAULT_PROJECT) -> tuple[int, dict[str, Any]]:
    """GET /v2/workflows/<name or id>."""
    return 200, views.workflow(find(rt, identifier, namespace=namespace, project_id=project_id))


def as_json(value: Any, what: str) -> Any:
    """A JSON-typed request field: JSON text (as python-mistralclient sends it) or a value."""
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"{what} is not valid JSON: {value[:200]}") from None
    return value


__all__ = ["ApiError", "create", "find", "get"]
