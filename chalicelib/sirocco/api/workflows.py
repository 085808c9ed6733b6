"""``/v2/workflows``: upload, update, get, list, delete and validate workflows.

As Mistral, each workflow of a document is stored on its own: a document of
one workflow as uploaded, each of several as the document's ``version`` and
that workflow dumped again, ``checksum`` the MD5 of that text, ``input`` the
signature string and ``interface`` its input and output names. A document
is written in one DynamoDB transaction, so a refused workflow (a duplicate,
a missing one on update) leaves none of the document behind. The engine
parses the stored definition (docs/shell.md); a workbook's workflows keep the
whole workbook text (api/workbooks.py).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Mapping, Sequence

from sirocco.language import ValidationFailed, WorkflowSpec, parse_workflows
from sirocco.persistence.definitions import DefinitionMissing, DuplicateDefinition, TransactionTooLarge
from sirocco.persistence.settings import DEFAULT_PROJECT

from . import definition_text, views
from .errors import ApiError, bad_request, conflict, not_found
from .listing import ListQuery, listing

SCOPES = ("private", "public")
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
COLUMNS = ("id", "name", "namespace", "input", "interface", "definition", "checksum", "tags", "scope",
           "project_id", "created_at", "updated_at")
FILTERS = ("name", "namespace", "input", "definition", "tags", "scope", "project_id", "created_at", "updated_at")


def check_scope(scope: str) -> str:
    if scope not in SCOPES:
        raise bad_request(f"Scope must be one of the following: {list(SCOPES)}; actual: {scope}", short=True)
    return scope


def fields_of(spec: WorkflowSpec, body: Any, definition: str, *, workbook: str | None = None) -> dict[str, Any]:
    """The stored attributes of one workflow (``body``: its raw YAML value).
    A workbook's workflow has no checksum (as Mistral)."""
    face = definition_text.interface(body)
    summary = {"type": spec.type, "input": face["input"], "output": face["output"],
               "tasks": list(spec.tasks), "tags": list(spec.tags)}
    checksum = None if workbook else hashlib.md5(definition.encode("utf-8"), usedforsecurity=False).hexdigest()
    return {"definition": definition, "spec": summary,
            "input": definition_text.workflow_input(body.get("input") if isinstance(body, dict) else None),
            "interface": face, "checksum": checksum, "tags": list(spec.tags) or None, "workbook_name": workbook}


def _parse(text: str) -> tuple[tuple[WorkflowSpec, ...], dict[str, Any]]:
    """The document's workflows and its raw values; 400 naming every problem."""
    try:
        specs = parse_workflows(text)
    except ValidationFailed as exc:
        raise bad_request(str(exc), short=True) from None
    return specs, definition_text.raw(text)


def _texts(text: str, specs: tuple[WorkflowSpec, ...], root: Mapping[str, Any]) -> dict[str, str]:
    """Each workflow's own definition text (Mistral keeps a one-workflow document as written)."""
    if len(specs) == 1:
        return {specs[0].name: text}
    return {spec.name: definition_text.dump_one(root["version"], spec.name, root[spec.name]) for spec in specs}


def write(rt: Any, *, create: Sequence[Any] = (), replace: Sequence[Any] = (), delete: Sequence[Any] = ()) -> None:
    """Write a document's definitions all or none; 400 if DynamoDB refuses the
    transaction's size (over 100 definitions or 4 MB)."""
    try:
        rt.definitions.transact(create=create, replace=replace, delete=delete)
    except TransactionTooLarge as exc:
        raise bad_request(f"The document is too large to store in one transaction: {exc}", short=True) from None


def duplicate_text(kind_label: str, item: Any) -> str:
    return (f"Duplicate entry for {kind_label} ['name', 'namespace', 'project_id']: "
            f"{item.name}, {item.namespace}, {item.project_id}")


def create(rt: Any, text: str, *, namespace: str = "", scope: str = "private",
           project_id: str = DEFAULT_PROJECT) -> tuple[int, dict[str, Any]]:
    """POST /v2/workflows: 201 ``{"workflows": [...]}``; 400 for an invalid
    document; 409 if a workflow of that name exists (then none is created)."""
    check_scope(scope)
    specs, root = _parse(text)
    texts = _texts(text, specs, root)
    defs = rt.definitions
    items = [defs.build("workflow", spec.name, namespace=namespace, project_id=project_id, scope=scope,
                        **fields_of(spec, root[spec.name], texts[spec.name])) for spec in specs]
    try:
        write(rt, create=items)
    except DuplicateDefinition as exc:
        raise conflict(duplicate_text("WorkflowDefinition", exc.item), short=True) from None
    return 201, {"workflows": [views.workflow(item, created=True) for item in items]}


def update(rt: Any, text: str, *, identifier: str | None = None, namespace: str = "", scope: str = "private",
           project_id: str = DEFAULT_PROJECT) -> tuple[int, Any]:
    """PUT /v2/workflows (every workflow of the document, by name) or
    PUT /v2/workflows/<id or name> (a document of one workflow): 200; 404 if
    one does not exist (then none is changed)."""
    check_scope(scope)
    specs, root = _parse(text)
    if identifier and len(specs) > 1:
        raise bad_request("More than one workflows are not supported for update with identifier. "
                          f"[identifier: {identifier}]", short=True)
    texts = _texts(text, specs, root)
    defs = rt.definitions
    items = []
    for spec in specs:
        if identifier:
            old = _short_404(lambda: find(rt, identifier, namespace=namespace, project_id=project_id))
            owned(old, project_id, "workflow", "update")
            if old.name != spec.name:
                raise bad_request(f"The definition names workflow '{spec.name}', not '{old.name}': "
                                  "a workflow cannot be renamed", short=True)
        else:
            old = defs.get("workflow", spec.name, namespace=namespace, project_id=project_id, include_public=False)
            if old is None:
                raise ApiError(404, f"Workflow not found [workflow_identifier={spec.name}, namespace={namespace}]",
                               short=True)
        items.append(defs.build("workflow", spec.name, namespace=old.namespace, project_id=old.project_id,
                                scope=scope, id=old.id, created_at=old.created_at, updated_at=views.stamp(rt.clock()),
                                **fields_of(spec, root[spec.name], texts[spec.name])))
    try:
        write(rt, replace=items)
    except DefinitionMissing as exc:  # deleted meanwhile
        raise ApiError(404, f"Workflow not found [workflow_identifier={exc.item.name}, namespace={namespace}]",
                       short=True) from None
    if identifier:
        return 200, views.workflow(items[0], updated=True)
    return 200, {"workflows": [views.workflow(item, updated=True) for item in items]}


def _short_404(call: Any) -> Any:
    """A 404 in the short shape of Mistral's definition uploads."""
    try:
        return call()
    except ApiError as exc:
        raise ApiError(exc.status, exc.faultstring, short=True) from None


def visible(item: Any, project_id: str) -> bool:
    """A definition the project may see: its own, or another project's public one (Mistral's scope)."""
    return item.project_id == project_id or getattr(item, "scope", "private") == "public"


def owned(item: Any, project_id: str, what: str, verb: str) -> Any:
    """``item`` if the project may change it; 403 for another project's public one (Mistral's words)."""
    if item.project_id != project_id:
        raise ApiError(403, f"Can not {verb} {what} of other tenants. [identifier={item.name}]")
    return item


def find(rt: Any, identifier: str, *, namespace: str = "", project_id: str = DEFAULT_PROJECT) -> Any:
    """A workflow by id or name (in ``namespace``) that the project may see; ApiError 404 if none."""
    item = None
    if UUID.match(identifier):
        item = rt.definitions.get_by_id(identifier, kind="workflow")
        if item is not None and not visible(item, project_id):
            item = None
    if item is None:
        item = rt.definitions.get("workflow", identifier, namespace=namespace, project_id=project_id)
    if item is None:
        raise not_found(f"Workflow not found [workflow_identifier={identifier}, namespace={namespace}]")
    return item


def get(rt: Any, identifier: str, *, namespace: str = "", fields: str = "",
        project_id: str = DEFAULT_PROJECT) -> tuple[int, dict[str, Any]]:
    """GET /v2/workflows/<name or id>."""
    view = views.workflow(find(rt, identifier, namespace=namespace, project_id=project_id))
    return 200, pick(view, fields, COLUMNS)


def pick(view: dict[str, Any], fields: str, columns: tuple[str, ...]) -> dict[str, Any]:
    """A GET's ``fields`` parameter: those fields (``id`` first), checked as a list's."""
    wanted = ListQuery.parse({"fields": fields}, columns).fields if fields else ()
    return {k: view.get(k) for k in wanted} if wanted else view


def list_all(rt: Any, params: Mapping[str, str], base_url: str, *,
             project_id: str = DEFAULT_PROJECT) -> tuple[int, dict[str, Any]]:
    """GET /v2/workflows: Mistral's list query language over the project's workflows."""
    query = ListQuery.parse(params, COLUMNS, filterable=FILTERS)
    namespace = query.filter_on("namespace")
    items = rt.definitions.list("workflow", project_id=project_id,
                                namespace=namespace if isinstance(namespace, str) else None)
    return 200, listing("workflows", [views.workflow(item) for item in items], query, base_url)


def delete(rt: Any, identifier: str, *, namespace: str = "", project_id: str = DEFAULT_PROJECT) -> tuple[int, None]:
    """DELETE /v2/workflows/<name or id>: 204; 400 while a trigger starts it (as Mistral)."""
    item = owned(find(rt, identifier, namespace=namespace, project_id=project_id), project_id, "workflow", "delete")
    check_unused(rt, [item], identifier=identifier, namespace=namespace, project_id=project_id)
    if not rt.definitions.delete("workflow", item.name, namespace=item.namespace, project_id=item.project_id):
        raise not_found(f"Workflow not found [workflow_identifier={identifier}, namespace={namespace}]")
    return 204, None


def check_unused(rt: Any, items: list[Any], *, identifier: str | None = None, namespace: str = "",
                 project_id: str = DEFAULT_PROJECT) -> None:
    """400 if a cron or event trigger of the project starts one of these workflows (Mistral's words)."""
    ids = {item.id: item for item in items}
    for kind in ("cron_trigger", "event_trigger"):
        users = sorted((t for t in rt.definitions.list(kind, project_id=project_id, include_public=False)
                        if t.workflow_id in ids), key=lambda t: t.id)
        if not users:
            continue
        named = identifier or ids[users[0].workflow_id].name
        listed = ", ".join(t.id for t in users)
        if kind == "cron_trigger":
            raise bad_request("Can't delete workflow that has cron triggers associated. "
                              f"[workflow_identifier={named}, namespace={namespace}], [cron_trigger_id(s)={listed}]")
        raise bad_request("Can't delete workflow that has event triggers associated. "
                          f"[workflow_identifier={named}], [event_trigger_id(s)={listed}]")


def validate(text: str) -> tuple[int, dict[str, Any]]:
    """POST /v2/workflows/validate: 200 ``{"valid": true}`` or ``{"valid": false, "error": ...}``."""
    try:
        parse_workflows(text)
    except ValidationFailed as exc:
        return 200, {"valid": False, "error": str(exc)}
    return 200, {"valid": True}


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


__all__ = ["ApiError", "create", "delete", "find", "get", "list_all", "update", "validate"]
