"""``/v2/workbooks``: a workbook and its members, written together.

A workbook's workflows and actions are stored as workflows and ad-hoc actions
named ``<workbook>.<name>`` in the workbook's namespace, as Mistral does, so
that executions, ``/v2/workflows`` and ``/v2/actions`` find them. Each member
keeps the whole workbook text as its definition (the engine resolves a
member's references to its siblings from it; the API shows the member's own
lines). Unlike Mistral 23, which leaves them behind, an update removes the
members the new text no longer has and a delete removes them all; the
workbook and its members change in one DynamoDB transaction.
"""

from __future__ import annotations

from typing import Any, Mapping

from sirocco.language import ValidationFailed, WorkbookSpec, parse_workbook
from sirocco.persistence.definitions import DefinitionMissing, DuplicateDefinition, kind_of
from sirocco.persistence.settings import DEFAULT_PROJECT

from . import actions, definition_text, definition_views, views, workflows
from .errors import ApiError, bad_request, conflict, not_found
from .listing import ListQuery, listing

COLUMNS = ("id", "name", "namespace", "definition", "tags", "scope", "project_id", "created_at", "updated_at")
FILTERS = ("name", "namespace", "definition", "tags", "scope", "created_at", "updated_at")
MAX_ITEMS = 100  # DynamoDB's TransactWriteItems limit: the workbook and its members


def _parse(text: str) -> WorkbookSpec:
    try:
        return parse_workbook(text)
    except ValidationFailed as exc:
        raise bad_request(str(exc), short=True) from None


def _members(rt: Any, name: str, namespace: str, project_id: str) -> list[Any]:
    """The stored workflows and actions of a workbook."""
    found = []
    for kind in ("workflow", "action"):
        found += [item for item in rt.definitions.list(kind, project_id=project_id, namespace=namespace,
                                                       include_public=False)
                  if item.workbook_name == name]
    return found


def _items(rt: Any, book: WorkbookSpec, text: str, namespace: str, scope: str, project_id: str,
           now: str) -> tuple[list[Any], list[Any]]:
    """New member items to create and to replace (a member name already taken keeps its id, as
    Mistral's create-or-update does)."""
    root = definition_text.raw(text)
    defs = rt.definitions
    wanted: list[tuple[str, str, dict[str, Any]]] = []
    for spec in book.workflows:
        body = (root.get("workflows") or {}).get(spec.short_name)
        wanted.append(("workflow", spec.name, workflows.fields_of(spec, body, text, workbook=book.name)))
    for action in book.actions:
        body = (root.get("actions") or {}).get(action.short_name)
        wanted.append(("action", action.name, actions.fields_of(action, body, text, workbook=book.name)))
    create, replace = [], []
    for kind, name, fields in wanted:
        old = defs.get(kind, name, namespace=namespace, project_id=project_id, include_public=False)
        if old is None:
            create.append(defs.build(kind, name, namespace=namespace, project_id=project_id, scope=scope, **fields))
        else:
            replace.append(defs.build(kind, name, namespace=namespace, project_id=project_id, scope=scope,
                                      id=old.id, created_at=old.created_at, updated_at=now, **fields))
    return create, replace


def _write(rt: Any, create: list[Any], replace: list[Any], delete: list[Any]) -> None:
    count = len(create) + len(replace) + len(delete)
    if count > MAX_ITEMS:
        raise bad_request(f"A workbook is written in one transaction of at most {MAX_ITEMS} definitions "
                          f"(the workbook, its workflows and actions); this one needs {count}", short=True)
    try:
        workflows.write(rt, create=create, replace=replace, delete=delete)
    except DuplicateDefinition as exc:
        label = {"workbook": "WorkbookDefinition", "workflow": "WorkflowDefinition"}.get(exc.kind, "Action")
        raise conflict(workflows.duplicate_text(label, exc.item), short=True) from None


def create(rt: Any, text: str, *, namespace: str = "", scope: str = "private",
           project_id: str = DEFAULT_PROJECT) -> tuple[int, dict[str, Any]]:
    """POST /v2/workbooks: 201 with the workbook; its members appear as
    ``<workbook>.<name>``; 409 if the workbook exists."""
    workflows.check_scope(scope)
    book = _parse(text)
    now = views.stamp(rt.clock())
    members, replaced = _items(rt, book, text, namespace, scope, project_id, now)
    item = rt.definitions.build("workbook", book.name, namespace=namespace, project_id=project_id, scope=scope,
                                definition=text, spec=_summary(book), tags=list(book.tags) or None)
    try:
        _write(rt, [item, *members], replaced, [])
    except DefinitionMissing as exc:  # a member being replaced was deleted meanwhile
        raise conflict(f"{exc.item.name} changed while the workbook was written; try again", short=True) from None
    return 201, definition_views.as_created(definition_views.workbook(item), ["updated_at"])


def update(rt: Any, text: str, *, namespace: str = "", scope: str = "private",
           project_id: str = DEFAULT_PROJECT) -> tuple[int, dict[str, Any]]:
    """PUT /v2/workbooks: 200; 404 if the workbook does not exist."""
    workflows.check_scope(scope)
    book = _parse(text)
    defs = rt.definitions
    old = defs.get("workbook", book.name, namespace=namespace, project_id=project_id, include_public=False)
    if old is None:
        raise ApiError(404, f"Workbook not found [name={book.name}, namespace={namespace}]", short=True)
    now = views.stamp(rt.clock())
    create_items, replace_items = _items(rt, book, text, namespace, scope, project_id, now)
    keep = {(kind_of(item), item.name) for item in create_items + replace_items}
    gone = [m for m in _members(rt, book.name, namespace, project_id) if (kind_of(m), m.name) not in keep]
    workflows.check_unused(rt, _workflows(gone), namespace=namespace, project_id=project_id)
    item = defs.build("workbook", book.name, namespace=namespace, project_id=project_id, scope=scope,
                      id=old.id, created_at=old.created_at, updated_at=now, definition=text,
                      spec=_summary(book), tags=list(book.tags) or None)
    try:
        _write(rt, create_items, [item, *replace_items], gone)
    except DefinitionMissing:
        raise ApiError(404, f"Workbook not found [name={book.name}, namespace={namespace}]", short=True) from None
    return 200, definition_views.workbook(item)


def _workflows(items: list[Any]) -> list[Any]:
    return [item for item in items if kind_of(item) == "workflow"]


def _summary(book: WorkbookSpec) -> dict[str, Any]:
    return {"workflows": [w.short_name for w in book.workflows], "actions": [a.short_name for a in book.actions],
            "description": book.description}


def _find(rt: Any, name: str, namespace: str, project_id: str) -> Any:
    item = rt.definitions.get("workbook", name, namespace=namespace, project_id=project_id)
    if item is None:
        raise not_found(f"Workbook not found [name={name}, namespace={namespace}]")
    return item


def get(rt: Any, name: str, *, namespace: str = "", fields: str = "",
        project_id: str = DEFAULT_PROJECT) -> tuple[int, dict[str, Any]]:
    """GET /v2/workbooks/<name>."""
    return 200, workflows.pick(definition_views.workbook(_find(rt, name, namespace, project_id)), fields, COLUMNS)


def list_all(rt: Any, params: Mapping[str, str], base_url: str, *,
             project_id: str = DEFAULT_PROJECT) -> tuple[int, dict[str, Any]]:
    """GET /v2/workbooks."""
    query = ListQuery.parse(params, COLUMNS, filterable=FILTERS)
    namespace = query.filter_on("namespace")
    items = rt.definitions.list("workbook", project_id=project_id,
                                namespace=namespace if isinstance(namespace, str) else None)
    return 200, listing("workbooks", [definition_views.workbook(item) for item in items], query, base_url)


def delete(rt: Any, name: str, *, namespace: str = "", project_id: str = DEFAULT_PROJECT) -> tuple[int, None]:
    """DELETE /v2/workbooks/<name>: the workbook and its members; 400 while a
    trigger starts one of its workflows."""
    item = rt.definitions.get("workbook", name, namespace=namespace, project_id=project_id, include_public=False)
    if item is None:
        raise not_found(f"Workbook not found [workbook_name={name}, namespace={namespace}]")
    members = _members(rt, name, namespace, project_id)
    workflows.check_unused(rt, _workflows(members), namespace=namespace, project_id=project_id)
    try:
        _write(rt, [], [], [item, *members])
    except DefinitionMissing:
        raise not_found(f"Workbook not found [workbook_name={name}, namespace={namespace}]") from None
    return 204, None


def validate(text: str) -> tuple[int, dict[str, Any]]:
    """POST /v2/workbooks/validate."""
    try:
        parse_workbook(text)
    except ValidationFailed as exc:
        return 200, {"valid": False, "error": str(exc)}
    return 200, {"valid": True}
