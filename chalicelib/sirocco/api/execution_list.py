"""``GET /v2/executions``: Mistral's list of workflow executions, read from DynamoDB's list indexes.

The index is picked from the request's equality (or ``in:``) filters, most selective first:
``task_execution_id`` (``by_parent``), ``root_execution_id`` or ``nulls=root_execution_id``
(``by_root``), ``workflow_id`` (``by_workflow_id``), ``state`` when only active states are asked
(``by_state``: few executions run at once), ``workflow_name`` (``by_workflow``), any ``state``;
otherwise the project's executions (``by_project``). ``in:`` reads one index key per value, merged.

Sorted by creation time (the default, either way), the index is read in that order, a page of
keys at a time, and reading stops once the page is full; every filter is applied to each header
read (the index only narrows). Mistral keeps times to the second and orders one second's
executions by id, so the entries of one second are ordered by id before use. Any other sort,
or ``all_projects``, reads every entry of the index key and sorts in memory.
"""

from __future__ import annotations

import heapq
import json
import re
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any, Iterable, Iterator, Mapping

from sirocco.engine import states
from sirocco.persistence.settings import DEFAULT_PROJECT

from . import views
from .errors import bad_request, not_found
from .listing import OPS, ListQuery, collection, page

#: the Execution resource's fields, in Mistral's order (``fields`` and ``sort_keys`` take these)
COLUMNS = ("id", "workflow_id", "workflow_name", "workflow_namespace", "description", "tags", "params",
           "task_execution_id", "root_execution_id", "source_execution_id", "state", "state_info", "input",
           "output", "created_at", "updated_at", "project_id", "published_global")
FILTERS = ("workflow_name", "workflow_id", "description", "tags", "params", "task_execution_id",
           "root_execution_id", "state", "state_info", "input", "output", "created_at", "updated_at", "project_id")
OPTIONS = ("include_output", "all_projects", "nulls")
JSON_FILTERS = ("params", "input", "output")
UUID_FILTERS = ("workflow_id", "task_execution_id")
NULLABLE = tuple(c for c in COLUMNS if c not in ("id", "published_global", "source_execution_id"))
ACTIVE = (states.IDLE, states.RUNNING, states.PAUSED)
_UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")
_TRUE = ("true", "t", "yes", "y", "on", "1")
_FALSE = ("false", "f", "no", "n", "off", "0")


@dataclass(frozen=True)
class Request:
    """A list request checked: the query language part, and Mistral's list options."""

    query: ListQuery
    nulls: tuple[str, ...]
    include_output: bool
    project_id: str | None  # None: all projects

    def matches(self, view: Mapping[str, Any]) -> bool:
        return self.query.matches(view) and all(view.get(column) is None for column in self.nulls)

    def leave_out(self) -> tuple[str, ...]:
        return () if self.include_output or "output" in self.query.fields else ("output",)


def flag(params: Mapping[str, str], name: str) -> bool:
    raw = (params.get(name) or "").strip()
    if raw == "" or raw.lower() in _FALSE:
        return False
    if raw.lower() in _TRUE:
        return True
    raise bad_request(f"Invalid input for field/attribute {name}. Value: '{raw}'. Wrong type. "
                      "Expected 'bool', got 'str'")


def parse(params: Mapping[str, str]) -> Request:
    """Check a list request; 400 naming the first problem, in Mistral's words."""
    params = {k: v for k, v in params.items() if v is not None}
    for name in JSON_FILTERS:
        if name in params:
            params[name] = _json_filter(name, params[name])
    for name in UUID_FILTERS:
        if name in params:  # an empty one too: Mistral's 400, never an empty index key
            _uuid_filter(name, params[name])
    query = ListQuery.parse(params, COLUMNS, filterable=FILTERS)
    unknown = [k for k in query.extra if k not in OPTIONS]
    if unknown:
        raise bad_request(f'Unknown argument: "{unknown[0]}"')
    nulls = tuple(c.strip() for c in (params.get("nulls") or "").split(",") if c.strip())
    for column in nulls:
        if column == "id":
            raise bad_request("The field 'id' can't hold None value.")
        if column not in NULLABLE:
            raise bad_request(f"'{column}' is not a valid field name.")
    project = None if flag(params, "all_projects") else params.get("project_id") or DEFAULT_PROJECT
    return Request(query, nulls, flag(params, "include_output"), project)


def _json_filter(name: str, raw: str) -> str:
    """Mistral reads a JSON column's filter as JSON and compares it as its JSON text."""
    op, sep, rest = raw.partition(":")
    if sep and op in OPS and op not in ("eq", "neq"):
        return raw
    text = rest if sep and op in OPS else raw
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise bad_request(f"Invalid input for field/attribute {name}. Value: '{raw}'. unable to convert to json. "
                          f"Error: {exc}") from None
    normal = views.json_text(value)
    return f"{op}:{normal}" if sep and op in OPS else normal


def _uuid_filter(name: str, raw: str) -> None:
    op, sep, rest = raw.partition(":")
    values = (rest if sep and op in OPS else raw).split(",")
    for value in values:
        if not _UUID.match(value):
            raise bad_request(f"Invalid input for field/attribute {name}. Value: '{raw}'. unable to convert to "
                              f"uuid. Error: Expected a uuid but received {raw}.")


def _values(query: ListQuery, column: str) -> list[str] | None:
    """The values an equality or ``in:`` filter on ``column`` allows (None: no such filter).
    An empty value is left out: no execution has an empty state, name or root (``[]``
    when nothing else is left: the filter matches nothing), and an index key cannot be empty."""
    for f in query.filters:
        if f.column == column and f.op in ("eq", "in"):
            return [v for v in (f.value if isinstance(f.value, list) else [str(f.value)]) if v]
    return None


def plan(request: Request) -> list[tuple[str, str | None]]:
    """The index reads that cover the request: ``(index, key)`` pairs, merged by creation time."""
    q = request.query
    for column, index in (("task_execution_id", "parent"), ("root_execution_id", "root")):
        wanted = _values(q, column)
        if wanted is not None:
            return [(index, v) for v in wanted]
    if "root_execution_id" in request.nulls:
        return [("root", None)]
    wanted = _values(q, "workflow_id")
    if wanted is not None:
        return [("workflow_id", v) for v in wanted]
    wanted_states, names = _values(q, "state"), _values(q, "workflow_name")
    if wanted_states is not None and all(s in ACTIVE for s in wanted_states):
        return [("state", s) for s in wanted_states]
    if names is not None:
        return [("workflow", n) for n in names]
    if wanted_states is not None:
        return [("state", s) for s in wanted_states]
    return [("project", None)]


def list_executions(rt: Any, params: Mapping[str, str], base_url: str, *,
                    caller: str | None = None) -> tuple[int, dict[str, Any]]:
    """GET /v2/executions. ``caller``: the authenticated project, past which no list reaches
    (``all_projects`` lists its own; ``project_id`` of another project lists nothing)."""
    request = parse(params)
    query = request.query
    if caller is not None:
        if params.get("project_id") not in (None, "", caller) and not flag(params, "all_projects"):
            return 200, collection("executions", [], query, base_url)
        request = replace(request, project_id=caller)
    marker = None
    if query.marker:
        found = rt.executions.get_execution(query.marker)
        if found is not None and caller is not None and (found[1].get("project_id") or DEFAULT_PROJECT) != caller:
            found = None
        if found is None:
            raise not_found(f"WorkflowExecution not found [id={query.marker}]")
        marker = (found[0], views.execution(*found, published_global=False))
    if query.by_creation() and request.project_id is not None:
        rows = _by_creation(rt, request, marker)
    else:
        rows = _everything(rt, request, marker)
    return 200, collection("executions", [_project(v, query.fields) for v in rows], query, base_url)


def _by_creation(rt: Any, request: Request, marker: tuple[Any, dict[str, Any]] | None) -> list[dict[str, Any]]:
    query = request.query
    newest_first = query.sort_dirs[0] == "desc"
    second = int(marker[0].created_at) if marker is not None else None
    after = query.sort_key(marker[1]) if marker is not None else None
    size = min(query.limit, 100)  # the first headers read: the page, when the filters keep them all
    reads = [rt.executions.index_entries(index, key, request.project_id, newest_first=newest_first,
                                         from_second=second, page_size=min(query.limit + 2, 100))
             for index, key in plan(request)]
    entries = reads[0] if len(reads) == 1 else heapq.merge(*reads, key=lambda e: e[1], reverse=newest_first)
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    ordered = _mistral_order(entries, ids_descending=query.sort_dirs[1:2] == ("desc",))
    while len(rows) < query.limit:
        read = list(islice(ordered, size))
        if not read:
            break
        chunk = [eid for eid in read if eid not in seen]
        seen.update(chunk)
        found = rt.executions.headers(chunk)
        for eid in chunk:
            if eid not in found:
                continue  # deleted since the index was read
            view = views.execution(*found[eid], published_global=False, leave_out=request.leave_out())
            if request.matches(view) and (after is None or after < query.sort_key(view)):
                rows.append(view)
                if len(rows) == query.limit:
                    break
        size = 100
    return rows


def _mistral_order(entries: Iterable[tuple[str, float]], *, ids_descending: bool = False) -> Iterator[str]:
    """Ids of entries read in creation order, in Mistral's order: by second, then by id
    (ascending unless ``sort_keys=created_at,id&sort_dirs=...,desc``)."""
    second, bucket = None, []
    for eid, created in entries:
        if int(created) != second:
            yield from sorted(bucket, reverse=ids_descending)
            second, bucket = int(created), []
        bucket.append(eid)
    yield from sorted(bucket, reverse=ids_descending)


def _everything(rt: Any, request: Request, marker: tuple[Any, dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Every execution the index reads cover, then Mistral's filter, sort and page in memory."""
    ids: dict[str, None] = {}
    for index, key in plan(request):
        for eid, _ in rt.executions.index_entries(index, key, request.project_id):
            ids[eid] = None
    found = rt.executions.headers(list(ids))
    rows = [views.execution(*found[eid], published_global=False, leave_out=request.leave_out())
            for eid in ids if eid in found]
    rows = [v for v in rows if request.matches(v)]
    unpaged = ListQuery(limit=request.query.limit, marker=request.query.marker, sort_keys=request.query.sort_keys,
                        sort_dirs=request.query.sort_dirs)
    return page(rows, unpaged, marker_view=lambda _: marker[1] if marker is not None else None)


def _project(view: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """``fields`` of a view, id first, in the resource's order (as Mistral answers)."""
    if not fields:
        return view
    return {k: v for k, v in view.items() if k == "id" or k in fields}
