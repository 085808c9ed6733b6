"""``/v2/actions``: the registered (system) actions and the project's ad-hoc ones.

System actions come from the action registry (``std.*`` and any registered
later): their id is their name, they have no owner, times or definition, and
they cannot be created, changed or deleted (no definition has their name). Ad-hoc actions are uploaded as
YAML documents of one or more actions; as Mistral, each keeps the whole
document as its ``definition``. A document is written in one transaction.
"""

from __future__ import annotations

from typing import Any, Mapping

from sirocco.language import ActionSpec, ValidationFailed, parse_actions
from sirocco.persistence.definitions import DefinitionMissing, DuplicateDefinition
from sirocco.persistence.settings import DEFAULT_PROJECT

from . import definition_text, definition_views, views, workflows
from .errors import ApiError, bad_request, conflict, not_found
from .listing import ListQuery, listing

COLUMNS = ("id", "name", "is_system", "input", "description", "tags", "definition", "scope", "project_id",
           "created_at", "updated_at", "namespace")
FILTERS = ("name", "namespace", "is_system", "input", "description", "tags", "definition", "scope", "created_at",
           "updated_at")


def fields_of(spec: ActionSpec, body: Any, definition: str, *, workbook: str | None = None) -> dict[str, Any]:
    """The stored attributes of one ad-hoc action (``body``: its raw YAML value)."""
    raw_input = body.get("input") if isinstance(body, dict) else None
    return {"definition": definition, "input": definition_text.action_input(raw_input),
            "description": spec.description, "tags": list(spec.tags) or None, "workbook_name": workbook,
            "spec": {"base": spec.base, "input": [p.name for p in spec.input]}}


def _parse(text: str) -> tuple[ActionSpec, ...]:
    try:
        return parse_actions(text)
    except ValidationFailed as exc:
        raise bad_request(str(exc), short=True) from None


def create(rt: Any, text: str, *, namespace: str = "", scope: str = "private",
           project_id: str = DEFAULT_PROJECT) -> tuple[int, dict[str, Any]]:
    """POST /v2/actions: 201 ``{"actions": [...]}``; 409 if one exists (then none is created)."""
    workflows.check_scope(scope)
    specs = _parse(text)
    for spec in specs:  # a task naming a registered action never reaches an ad-hoc one of that name
        if spec.name in rt.registry:
            raise bad_request(f"Attempt to modify a system action: {spec.name}", short=True)
    root = definition_text.raw(text)
    defs = rt.definitions
    items = [defs.build("action", spec.name, namespace=namespace, project_id=project_id, scope=scope,
                        **fields_of(spec, root.get(spec.name), text)) for spec in specs]
    try:
        workflows.write(rt, create=items)
    except DuplicateDefinition as exc:
        raise conflict(workflows.duplicate_text("Action", exc.item), short=True) from None
    views_ = [definition_views.as_created(definition_views.action(item, written=True), ["updated_at"])
              for item in items]
    return 201, {"actions": views_}


def update(rt: Any, text: str, *, identifier: str | None = None, namespace: str = "", scope: str = "private",
           project_id: str = DEFAULT_PROJECT) -> tuple[int, dict[str, Any]]:
    """PUT /v2/actions[/<id or name>]: 200 ``{"actions": [...]}``; 404 if one
    does not exist (a system action is no definition: 404, as Mistral 23)."""
    workflows.check_scope(scope)
    specs = _parse(text)
    if identifier and len(specs) > 1:
        raise bad_request("More than one actions are not supported for update with identifier. "
                          f"[identifier: {identifier}]", short=True)
    root = definition_text.raw(text)
    defs = rt.definitions
    items = []
    for spec in specs:
        old = _adhoc(rt, identifier or spec.name, namespace, project_id)
        if old is not None:
            workflows.owned(old, project_id, "action", "update")
        if old is None:
            raise ApiError(404, f"Action definition not found [action_name={identifier or spec.name}, "
                                f"namespace={namespace}]", short=True)
        if old.name != spec.name:
            raise bad_request(f"The definition names action '{spec.name}', not '{old.name}': "
                              "an action cannot be renamed", short=True)
        items.append(defs.build("action", spec.name, namespace=old.namespace, project_id=old.project_id,
                                scope=scope, id=old.id, created_at=old.created_at, updated_at=views.stamp(rt.clock()),
                                **fields_of(spec, root.get(spec.name), text)))
    try:
        workflows.write(rt, replace=items)
    except DefinitionMissing as exc:
        raise ApiError(404, f"Action definition not found [action_name={exc.item.name}, namespace={namespace}]",
                       short=True) from None
    return 200, {"actions": [definition_views.action(item, written=True) for item in items]}


def _adhoc(rt: Any, identifier: str, namespace: str, project_id: str) -> Any | None:
    """An ad-hoc action by id or name in ``namespace``."""
    item = None
    if workflows.UUID.match(identifier):
        item = rt.definitions.get_by_id(identifier, kind="action")
        if item is not None and not workflows.visible(item, project_id):
            item = None
    if item is None:
        item = rt.definitions.get("action", identifier, namespace=namespace, project_id=project_id)
    return item


def get(rt: Any, identifier: str, *, namespace: str = "", project_id: str = DEFAULT_PROJECT) -> tuple[int, dict[str, Any]]:
    """GET /v2/actions/<name or id>[/<namespace>]: a system action, else an ad-hoc one."""
    if identifier in rt.registry:
        return 200, definition_views.system_action(rt.registry.get(identifier).info())
    item = _adhoc(rt, identifier, namespace, project_id)
    if item is None:
        raise not_found(f"Action not found [name={identifier}, namespace={namespace}]")
    return 200, definition_views.action(item)


def delete(rt: Any, identifier: str, *, namespace: str = "", project_id: str = DEFAULT_PROJECT) -> tuple[int, None]:
    """DELETE /v2/actions/<name or id>[/<namespace>]: 204; 404 if no ad-hoc
    action has that name (a system action included, as Mistral 23 answers)."""
    item = _adhoc(rt, identifier, namespace, project_id)
    if item is not None:
        workflows.owned(item, project_id, "action", "delete")
    if item is None or not rt.definitions.delete("action", item.name, namespace=item.namespace,
                                                 project_id=item.project_id):
        raise not_found(f"Action definition not found [action_name={identifier}, namespace={namespace}]")
    return 204, None


def list_all(rt: Any, params: Mapping[str, str], base_url: str, *,
             project_id: str = DEFAULT_PROJECT) -> tuple[int, dict[str, Any]]:
    """GET /v2/actions: system actions and the namespace's ad-hoc ones (the
    default namespace unless ``namespace`` says otherwise, as Mistral), by name."""
    params = {"namespace": "", **params}
    query = ListQuery.parse(params, COLUMNS, filterable=FILTERS, default_sort=("name",))
    namespace = query.filter_on("namespace")
    rows = [definition_views.system_action(rt.registry.get(name).info()) for name in rt.registry.names()]
    items = rt.definitions.list("action", project_id=project_id,
                                namespace=namespace if isinstance(namespace, str) else None)
    rows += [definition_views.action(item) for item in items]
    return 200, listing("actions", rows, query, base_url)


def validate(text: str) -> tuple[int, dict[str, Any]]:
    """POST /v2/actions/validate."""
    try:
        parse_actions(text)
    except ValidationFailed as exc:
        return 200, {"valid": False, "error": str(exc)}
    return 200, {"valid": True}
