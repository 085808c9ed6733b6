"""Mistral's list query language (marker, limit, sort, fields, filters) on views."""

from __future__ import annotations

import pytest

from sirocco.api.errors import ApiError
from sirocco.api.listing import MAX_LIMIT, ListQuery, listing, page

COLUMNS = ["id", "name", "state", "created_at", "tags", "count"]
ROWS = [
    {"id": "a", "name": "one", "state": "SUCCESS", "created_at": "2026-01-01 10:00:00", "tags": ["x"], "count": 3},
    {"id": "b", "name": "two", "state": "ERROR", "created_at": "2026-01-01 10:00:02", "tags": ["x", "y"], "count": 10},
    {"id": "c", "name": "three", "state": "RUNNING", "created_at": "2026-01-01 10:00:01", "tags": [], "count": None},
    {"id": "d", "name": "four", "state": "SUCCESS", "created_at": "2026-01-01 10:00:01", "tags": ["y"], "count": 7},
]


def ids(params, rows=ROWS):
    return [r["id"] for r in page(rows, ListQuery.parse(params, COLUMNS))]


def test_default_is_oldest_first_with_id_breaking_ties():
    assert ids({}) == ["a", "c", "d", "b"]


def test_sort_keys_and_dirs():
    assert ids({"sort_keys": "state,created_at", "sort_dirs": "asc,desc"}) == ["b", "c", "d", "a"]
    assert ids({"sort_keys": "count", "sort_dirs": "desc"}) == ["b", "d", "a", "c"]


def test_filters_with_operators():
    assert ids({"state": "SUCCESS"}) == ["a", "d"]
    assert ids({"state": "neq:SUCCESS"}) == ["c", "b"]
    assert ids({"state": "in:ERROR,RUNNING"}) == ["c", "b"]
    assert ids({"state": "nin:ERROR,RUNNING"}) == ["a", "d"]
    assert ids({"name": "has:o"}) == ["a", "d", "b"]
    assert ids({"created_at": "gt:2026-01-01 10:00:01"}) == ["b"]
    assert ids({"created_at": "gte:2026-01-01T10:00:01"}) == ["c", "d", "b"]
    assert ids({"count": "lt:7"}) == ["a"]  # a missing value never compares true
    assert ids({"tags": "x,y"}) == ["b"]


def test_marker_pages_through_everything_once_while_items_are_added():
    rows = list(ROWS)
    seen, marker = [], None
    while True:
        params = {"limit": "2", **({"marker": marker} if marker else {})}
        got = ids(params, rows)
        if not got:
            break
        seen += got
        marker = got[-1]
        rows.append({"id": f"new{len(rows)}", "name": "n", "state": "IDLE", "created_at": "2026-01-01 09:00:00",
                     "tags": [], "count": 0})  # older than everything: must not shift the pages
    assert seen == ["a", "c", "d", "b"]


def test_unknown_marker_is_404_and_bad_parameters_are_400():
    with pytest.raises(ApiError) as exc:
        ids({"marker": "zzz"})
    assert exc.value.status == 404
    for params, text in [({"limit": "0"}, "Limit must be positive"), ({"limit": "x"}, "limit"),
                         ({"sort_dirs": "up"}, "sort direction"), ({"sort_keys": "nope"}, "nope"),
                         ({"fields": "name,nope"}, "nope"),
                         ({"sort_keys": "name", "sort_dirs": "asc,desc"}, "sort_keys")]:
        with pytest.raises(ApiError) as exc:
            ListQuery.parse(params, COLUMNS)
        assert exc.value.status == 400 and text in exc.value.faultstring


def test_limit_is_clamped_and_fields_keep_the_id():
    assert ListQuery.parse({"limit": "5000"}, COLUMNS).limit == MAX_LIMIT
    rows = page(ROWS, ListQuery.parse({"fields": "name"}, COLUMNS))
    assert rows[0] == {"id": "a", "name": "one"}


def test_next_link_only_on_a_full_page_and_it_carries_the_query():
    q = ListQuery.parse({"limit": "2", "state": "in:SUCCESS,RUNNING", "fields": "name"}, COLUMNS)
    body = listing("executions", ROWS, q, "http://127.0.0.1:8989")
    assert [r["id"] for r in body["executions"]] == ["a", "c"]
    assert body["next"] == ("http://127.0.0.1:8989/v2/executions?sort_keys=created_at&sort_dirs=asc"
                            "&state=in:SUCCESS,RUNNING&limit=2&marker=c&fields=id,name")
    last = listing("executions", ROWS, ListQuery.parse({"limit": "10"}, COLUMNS), "http://h")
    assert "next" not in last
