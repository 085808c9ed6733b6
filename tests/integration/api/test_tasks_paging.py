"""How a project-wide list reads the index (``api.tasks.paged``): no further
than the page needs, in exact creation order, and never past its budget."""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from sirocco.api import tasks
from sirocco.api.errors import ApiError
from sirocco.api.listing import ListQuery

COLUMNS = ("id", "name", "created_at", "updated_at")


def _rows(times: list[float], read: list[str], ids_down: bool = False) -> Iterator[dict[str, Any]]:
    """Rows as the index yields them (creation order), noting each one read;
    ``ids_down``: ids sort against creation order."""
    for n, at in enumerate(times):
        row = {"id": f"id-{99999 - n if ids_down else n:05d}", "name": f"t{n % 3}", "created_at": "2026-11-27 09:00:00",
               "updated_at": None, "_created": at, "_updated": at}
        read.append(row["id"])
        yield row


def _page(params: dict[str, str], times: list[float], read: list[str], ids_down: bool = False,
          **kw: Any) -> dict[str, Any]:
    query = ListQuery.parse(params, COLUMNS)
    return tasks.paged("tasks", _rows(times, read, ids_down), query, "http://x", kw.pop("marker", None),
                       ordered=query.by_creation(), **kw)


def test_an_ordered_read_stops_once_the_page_is_full():
    read: list[str] = []
    body = _page({"limit": "2"}, [1.0, 2.0, 3.0, 4.0, 5.0], read, budget="workflow_execution_id")
    assert [t["id"] for t in body["tasks"]] == ["id-00000", "id-00001"]
    assert read == ["id-00000", "id-00001", "id-00002"]  # one more, to see the creation time move on
    assert "_created" not in body["tasks"][0] and "next" in body


def test_rows_within_one_second_keep_their_exact_order():
    # all in one shown second, ids sorting against creation: creation order wins, as in Mistral
    body = _page({}, [0.5, 0.7, 0.9], [], ids_down=True)
    assert [t["id"] for t in body["tasks"]] == ["id-99999", "id-99998", "id-99997"]
    body = _page({"sort_dirs": "desc", "limit": "2"}, [0.9, 0.7, 0.5], [], ids_down=True)
    assert [t["id"] for t in body["tasks"]] == ["id-99999", "id-99998"]


def test_a_filter_matching_few_rows_reads_at_most_the_budget():
    many = [float(n) for n in range(tasks.SCAN_LIMIT + 5)]
    with pytest.raises(ApiError) as refused:
        _page({"name": "nobody"}, many, [], budget="workflow_execution_id")
    assert refused.value.status == 400 and "workflow_execution_id" in refused.value.faultstring
    read: list[str] = []
    assert [t["name"] for t in _page({"name": "t2", "limit": "1"}, many, read)["tasks"]] == ["t2"]
    assert len(read) == 4  # found at the third row, then one more
