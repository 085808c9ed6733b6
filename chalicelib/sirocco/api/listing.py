"""Mistral's list query language, applied to resource views.

Every ``GET /v2/<resources>`` takes ``marker``, ``limit``, ``sort_keys``,
``sort_dirs``, ``fields`` and filters on the resource's columns written
``column=[op:]value`` (ops ``eq neq gt gte lt lte in nin has``; ``in``/``nin``
take comma-separated values, ``has`` a substring, ``tags`` all listed tags).
``ListQuery.parse`` checks a request against one resource's fields and
``page`` applies it to views (dicts in Mistral's wire format), so every
resource pages, sorts and filters the same way. Stores may hand ``page`` an
already narrowed iterable (an index Query); ``page`` still applies every
filter, so narrowing is an optimisation, never a semantic.

Paging is keyset paging as Mistral's: the marker is the id of the previous
page's last item, and the next page holds the items that sort after it
(sort keys, then ``id``), so paging is stable while items are added.
A full page carries a ``next`` link with the same query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence
from urllib.parse import quote

from .errors import bad_request, not_found

MAX_LIMIT = 1000  # Mistral's [api] max_limit default: a list without a limit is clamped to it
OPS = ("eq", "neq", "gt", "gte", "lt", "lte", "in", "nin", "has")
PAGING = ("marker", "limit", "sort_keys", "sort_dirs", "fields")


@dataclass(frozen=True)
class Filter:
    column: str
    op: str
    value: Any  # a string, or a list of strings for in/nin

    def matches(self, actual: Any) -> bool:
        if self.column == "tags":
            wanted = self.value if isinstance(self.value, list) else str(self.value).split(",")
            return all(tag in (actual or []) for tag in wanted)
        if self.op in ("in", "nin"):
            inside = _text(actual) in self.value
            return inside if self.op == "in" else not inside
        if self.op == "has":
            return actual is not None and str(self.value) in _text(actual)
        left, right = _comparable(actual, self.value)
        if self.op == "eq":
            return left == right
        if self.op == "neq":
            return left != right
        if left is None or right is None:
            return False  # SQL: a comparison with NULL is not true
        return {"gt": left > right, "gte": left >= right, "lt": left < right, "lte": left <= right}[self.op]

    def query_text(self) -> str:
        value = ",".join(self.value) if isinstance(self.value, list) else str(self.value)
        return f"{self.column}={quote(value if self.op == 'eq' else f'{self.op}:{value}', safe=':,')}"


def _text(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if value is None or isinstance(value, str) else str(value)


def _comparable(actual: Any, wanted: Any) -> tuple[Any, Any]:
    """Compare as numbers when the column is a number, else as text
    (Mistral's datetimes ``YYYY-MM-DD HH:MM:SS`` order as text)."""
    if isinstance(actual, bool):
        return actual, str(wanted).strip().lower() in ("true", "1", "yes")
    if isinstance(actual, (int, float)):
        try:
            return actual, float(wanted)
        except (TypeError, ValueError):
            return str(actual), str(wanted)
    if isinstance(actual, str) and isinstance(wanted, str) and len(wanted) >= 10 and wanted[4:5] == "-":
        return actual, wanted.replace("T", " ").rstrip("Z")  # ISO times as Mistral shows them
    return _text(actual), _text(wanted)


def parse_filter(column: str, raw: str) -> Filter:
    op, value = "eq", raw
    head, sep, rest = raw.partition(":")
    if sep and head in OPS:
        op, value = head, rest
    if op in ("in", "nin"):
        return Filter(column, op, value.split(","))
    return Filter(column, op, value)


@dataclass(frozen=True)
class ListQuery:
    limit: int = MAX_LIMIT
    marker: str | None = None
    sort_keys: tuple[str, ...] = ("created_at",)
    sort_dirs: tuple[str, ...] = ("asc",)
    fields: tuple[str, ...] = ()
    filters: tuple[Filter, ...] = ()
    extra: Mapping[str, str] = field(default_factory=dict)  # other parameters, for the next link

    @classmethod
    def parse(cls, params: Mapping[str, str], columns: Sequence[str], *,
              filterable: Iterable[str] | None = None, default_sort: Sequence[str] = ("created_at",),
              default_dirs: Sequence[str] = ("asc",)) -> "ListQuery":
        """Check a request's list parameters against the resource's ``columns``;
        400 naming the first problem. ``filterable``: columns that take a filter
        (default: all)."""
        allowed = set(columns if filterable is None else filterable)
        limit = MAX_LIMIT
        if params.get("limit") not in (None, ""):
            try:
                limit = int(params["limit"])
            except ValueError:
                raise bad_request(f"Invalid input for field/attribute limit. Value: '{params['limit']}'. "
                                  "Wrong type. Expected 'int', got 'str'") from None
            if limit <= 0:
                raise bad_request("Limit must be positive.")
            limit = min(limit, MAX_LIMIT)
        sort_keys = _list(params.get("sort_keys")) or list(default_sort)
        sort_dirs = _list(params.get("sort_dirs")) or ([] if params.get("sort_keys") else list(default_dirs))
        if len(sort_keys) < len(sort_dirs):
            raise bad_request("Length of sort_keys must be equal or greater than sort_dirs.")
        sort_dirs += ["asc"] * (len(sort_keys) - len(sort_dirs))
        if any(d not in ("asc", "desc") for d in sort_dirs):
            raise bad_request("Unknown sort direction, must be 'desc' or 'asc'.")
        unknown = [k for k in sort_keys if k not in columns]
        if unknown:
            raise bad_request(f"Unknown sort key(s) [{', '.join(unknown)}], please choose from "
                              f"[{', '.join(columns)}]")
        fields = _list(params.get("fields"))
        bad = [f for f in fields if f not in columns]
        if bad:
            raise bad_request(f"Some fields do not exist  [{', '.join(bad)}], please choose from "
                              f"[{', '.join(columns)}]")
        if fields and "id" not in fields:
            fields.insert(0, "id")
        filters = tuple(parse_filter(k, v) for k, v in params.items()
                        if k not in PAGING and k in allowed and v is not None)
        extra = {k: v for k, v in params.items() if k not in PAGING and k not in allowed}
        return cls(limit, params.get("marker") or None, tuple(sort_keys), tuple(sort_dirs), tuple(fields),
                   filters, extra)

    def filter_on(self, column: str, op: str = "eq") -> Any:
        """The value of a filter the store can use to narrow its read (an index key)."""
        for f in self.filters:
            if f.column == column and f.op == op:
                return f.value
        return None

    def matches(self, view: Mapping[str, Any]) -> bool:
        # as Mistral's in-memory filters: a column the resource lacks does not exclude
        return all(f.matches(view[f.column]) for f in self.filters if f.column in view)

    def sort_key(self, view: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(_Ordered(view.get(k), d == "desc") for k, d in zip(self.sort_keys, self.sort_dirs)) + (
            _Ordered(view.get("id"), False),)

    def by_creation(self) -> bool:
        """Sorted by creation time alone: a store reading an index in that order may stop early."""
        return self.sort_keys in (("created_at",), ("created_at", "id"))


class _Ordered:
    """One sort key, None first (as the smallest), reversed for ``desc``."""

    __slots__ = ("value", "desc")

    def __init__(self, value: Any, desc: bool) -> None:
        self.value = value
        self.desc = desc

    def _key(self) -> tuple[int, Any]:
        v = self.value
        if v is None:
            return (0, "")
        if isinstance(v, bool):
            return (1, int(v))
        if isinstance(v, (int, float)):
            return (1, v)
        return (2, str(v))

    def __lt__(self, other: "_Ordered") -> bool:
        a, b = self._key(), other._key()
        return b < a if self.desc else a < b

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Ordered) and self._key() == other._key()


def _list(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


def page(views: Iterable[Mapping[str, Any]], query: ListQuery, *,
         marker_view: Callable[[str], Mapping[str, Any] | None] | None = None) -> list[dict[str, Any]]:
    """The page of ``views`` the query asks for (filtered, sorted, after the
    marker, at most ``limit``), projected to ``fields``. ``marker_view`` finds
    the marker's view when it is not among ``views`` (404 if nobody has it)."""
    rows = [v for v in views if query.matches(v)]
    rows.sort(key=query.sort_key)
    if query.marker:
        found = next((v for v in rows if v.get("id") == query.marker), None)
        if found is None and marker_view is not None:
            found = marker_view(query.marker)
        if found is None:
            raise not_found(f"Object not found [id={query.marker}]")
        after = query.sort_key(found)
        rows = [v for v in rows if after < query.sort_key(v)]
    rows = rows[:query.limit]
    if query.fields:
        return [{k: v.get(k) for k in query.fields} for v in rows]
    return [dict(v) for v in rows]


def collection(resource: str, items: list[dict[str, Any]], query: ListQuery, base_url: str) -> dict[str, Any]:
    """``{"<resource>": items}``, plus Mistral's ``next`` link when the page is full."""
    body: dict[str, Any] = {resource: items}
    if items and len(items) == query.limit:
        args = [f"sort_keys={','.join(query.sort_keys)}", f"sort_dirs={','.join(query.sort_dirs)}"]
        args += [f.query_text() for f in query.filters]
        args += [f"{k}={quote(str(v))}" for k, v in query.extra.items()]
        link = f"{base_url}/v2/{resource}?{'&'.join(args)}&limit={query.limit}&marker={items[-1]['id']}"
        if query.fields:
            link += f"&fields={','.join(query.fields)}"
        body["next"] = link
    return body


def listing(resource: str, views: Iterable[Mapping[str, Any]], query: ListQuery, base_url: str, *,
            marker_view: Callable[[str], Mapping[str, Any] | None] | None = None) -> dict[str, Any]:
    return collection(resource, page(views, query, marker_view=marker_view), query, base_url)
