"""``/v2/environments``: named sets of variables an execution can take as its ``env``.

Created and updated from JSON bodies (``variables`` as an object or JSON
text of one), unique by name in the project. An update changes the fields it
names; ``variables`` given replaces them all, as in Mistral.
"""

from __future__ import annotations

from typing import Any, Mapping

from sirocco.persistence.definitions import DuplicateDefinition
from sirocco.persistence.settings import DEFAULT_PROJECT

from . import definition_views, resource_body, views, workflows
from .errors import bad_request, conflict, not_found
from .listing import ListQuery, listing

COLUMNS = ("id", "name", "description", "variables", "scope", "project_id", "created_at", "updated_at")
FILTERS = ("name", "description", "variables", "scope", "created_at", "updated_at")
BODY = {"id": resource_body.TEXT, "name": resource_body.TEXT, "description": resource_body.TEXT,
        "variables": resource_body.JSON, "scope": resource_body.SCOPE, "project_id": resource_body.TEXT,
        "created_at": resource_body.TEXT, "updated_at": resource_body.TEXT}
_ALLOWED = ["name", "description", "variables", "scope"]


def _read(body: Mapping[str, Any], allowed: list[str]) -> dict[str, Any]:
    values = resource_body.read(body, "env", BODY)
    if set(body) - set(allowed):
        raise bad_request("Please, check your environment definition. Only: "
                          f"{allowed} are allowed as definition keys.")
    return values


def create(rt: Any, body: Mapping[str, Any], *, project_id: str = DEFAULT_PROJECT) -> tuple[int, dict[str, Any]]:
    """POST /v2/environments: 201; 409 if the name is taken."""
    values = _read(body, _ALLOWED)
    if not values.get("name"):
        raise bad_request("Name of the environment is not provided.")
    name = values.pop("name")
    values.setdefault("scope", "private")
    try:
        item = rt.definitions.create("environment", name, project_id=project_id, **values)
    except DuplicateDefinition:
        raise conflict(f"Duplicate entry for Environment ['name', 'project_id']: {name}, {project_id}") from None
    unset = ["updated_at"] + [k for k in ("description", "variables") if k not in values]
    return 201, definition_views.as_created(definition_views.environment(item), unset)


def update(rt: Any, body: Mapping[str, Any], *, project_id: str = DEFAULT_PROJECT) -> tuple[int, dict[str, Any]]:
    """PUT /v2/environments (the body names the environment): 200; 404 if none."""
    values = resource_body.read(body, "env", BODY)
    name = values.pop("name", None)
    if not name:
        raise bad_request("Name of the environment is not provided.")
    _read({k: v for k, v in body.items() if k != "name"}, _ALLOWED[1:])
    item = rt.definitions.update("environment", name, project_id=project_id, updated_at=views.stamp(rt.clock()),
                                 **values)
    if item is None:
        raise not_found(f"Environment not found [name={name}]")
    return 200, definition_views.environment(item)


def find(rt: Any, name: str, project_id: str = DEFAULT_PROJECT) -> Any:
    item = rt.definitions.get("environment", name, project_id=project_id)
    if item is None:
        raise not_found(f"Environment not found [name={name}]")
    return item


def get(rt: Any, name: str, *, fields: str = "", project_id: str = DEFAULT_PROJECT) -> tuple[int, dict[str, Any]]:
    """GET /v2/environments/<name>."""
    return 200, workflows.pick(definition_views.environment(find(rt, name, project_id)), fields, COLUMNS)


def list_all(rt: Any, params: Mapping[str, str], base_url: str, *,
             project_id: str = DEFAULT_PROJECT) -> tuple[int, dict[str, Any]]:
    """GET /v2/environments."""
    query = ListQuery.parse(params, COLUMNS, filterable=FILTERS)
    items = rt.definitions.list("environment", project_id=project_id)
    return 200, listing("environments", [definition_views.environment(item) for item in items], query, base_url)


def delete(rt: Any, name: str, *, project_id: str = DEFAULT_PROJECT) -> tuple[int, None]:
    """DELETE /v2/environments/<name>: 204; 404 if none."""
    if not rt.definitions.delete("environment", name, project_id=project_id):
        raise not_found(f"Environment not found [name={name}]")
    return 204, None
