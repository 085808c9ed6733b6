"""GET /v2/executions (and GET of one with ``fields``) through the Chalice app, on tables
of this module's own so that the lists hold only its executions, created on a fixed
clock. Mistral 23.0.0's answers to the same requests gave the fields and their order,
the order (creation second, then id, ascending either way), the messages and codes."""

from __future__ import annotations

import json
import os
import uuid
from typing import Any, Iterator
from urllib.parse import quote, urlsplit

import pytest

from sirocco.handlers import runtime as runtime_module
from sirocco.handlers.runtime import Runtime, set_runtime
from sirocco.persistence import create_tables

from ..shell.delivery import Delivery
from .helpers import call, request

LIST_FIELDS = ["id", "workflow_id", "workflow_name", "workflow_namespace", "description", "tags", "params",
               "task_execution_id", "root_execution_id", "state", "state_info", "input", "created_at",
               "updated_at", "project_id"]
T0 = 1_700_000_000.0
DOC = """version: '2.0'
wa:
  output:
    x: 1
  tasks:
    t:
      action: std.noop
wb:
  tasks:
    t:
      action: std.fail
wp:
  tasks:
    call:
      workflow: wa
many:
  tasks:
    t:
      action: std.noop
"""


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def own(aws_endpoint: str) -> Runtime:
    """A runtime on tables of this module's own, on a clock the tests set."""
    suffix = uuid.uuid4().hex[:8]
    env = {**os.environ, **{k: f"{v}-{suffix}" for k, v in {
        "SIROCCO_EXECUTIONS_TABLE": "lst-executions", "SIROCCO_DEFINITIONS_TABLE": "lst-definitions",
        "SIROCCO_PAYLOAD_BUCKET": "lst-payloads", "SIROCCO_EXECUTOR_QUEUE": "lst-executor",
        "SIROCCO_TIMER_QUEUE": "lst-timer", "SIROCCO_NOTIFIER_QUEUE": "lst-notifier"}.items()},
           "SIROCCO_ENGINE_QUEUE": f"lst-engine-{suffix}.fifo"}
    rt = Runtime.from_env(env)
    rt.clock = Clock()
    create_tables(rt.executions.models)
    rt.payloads.ensure_bucket()
    sqs, qs = rt.queues.client, rt.queue_settings
    sqs.create_queue(QueueName=qs.engine_queue, Attributes={"FifoQueue": "true", "VisibilityTimeout": "30"})
    for name in (qs.executor_queue, qs.timer_queue, qs.notifier_queue, f"{qs.executor_queue}-special"):
        sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "30"})
    return rt


@pytest.fixture(autouse=True)
def installed(rt: Runtime, own: Runtime) -> Iterator[Runtime]:
    before = runtime_module._runtime
    set_runtime(own)
    yield own
    set_runtime(before)


@pytest.fixture(scope="module")
def world(own: Runtime, client: Any) -> dict[str, Any]:
    """Executions at known times: two in one second, a parent and its sub-execution, four
    in one second (Mistral orders those by id), and 40 never started, one a second."""
    before = runtime_module._runtime
    set_runtime(own)
    try:
        delivery = Delivery(own)
        wfs = {w["name"]: w for w in call(client, "POST", "/v2/workflows", DOC, status=201)["workflows"]}
        made: dict[str, Any] = {}

        def start(name: str, at: float, **body: Any) -> str:
            own.clock.now = at
            ex = call(client, "POST", "/v2/executions", {"workflow_name": name, **body}, status=201)
            delivery.run()
            made[ex["id"]] = at
            return ex["id"]

        e1 = start("wa", T0 + 0.1, description="d1")
        e2 = start("wb", T0 + 0.5, description="d2", params={"env": {"k": 1}})
        e3 = start("wa", T0 + 1.2)
        own.clock.now = T0 + 2.0
        e4 = call(client, "POST", "/v2/executions", {"workflow_name": "wp"}, status=201)["id"]
        own.clock.now = T0 + 2.5
        delivery.run()  # the sub-execution is created now
        made[e4] = T0 + 2.0
        tree = call(client, "GET", f"/v2/executions/{e4}/executions")["executions"]
        child = tree[1]["id"]
        made[child] = T0 + 2.5
        same = [start("wa", T0 + 3.0 + i / 10) for i in range(4)]
        for i in range(40):  # left IDLE: their starts are never delivered
            own.clock.now = made_at = T0 + 100 + i
            made[call(client, "POST", "/v2/executions", {"workflow_name": "many"}, status=201)["id"]] = made_at
        ordered = sorted(made, key=lambda eid: (int(made[eid]), eid))
        newest = sorted(made, key=lambda eid: (-int(made[eid]), eid))
        return {"wfs": wfs, "e1": e1, "e2": e2, "e3": e3, "e4": e4, "child": child, "same": same,
                "ordered": ordered, "newest": newest, "task": tree[1]["task_execution_id"]}
    finally:
        set_runtime(before)


def _ids(answer: dict[str, Any]) -> list[str]:
    return [e["id"] for e in answer["executions"]]


def _list(client: Any, query: str = "") -> dict[str, Any]:
    return call(client, "GET", f"/v2/executions{'?' + query if query else ''}")


def _pages(client: Any, query: str) -> list[str]:
    """Every page, following Mistral's ``next`` links."""
    seen, answer = [], _list(client, query)
    while True:
        seen += _ids(answer)
        if "next" not in answer:
            return seen
        parts = urlsplit(answer["next"])
        answer = call(client, "GET", f"{parts.path}?{parts.query}")


def test_the_default_list_in_mistral_order_and_fields(client, world):
    answer = _list(client)
    assert _ids(answer) == world["ordered"] and "next" not in answer
    assert [list(e) for e in answer["executions"]] == [LIST_FIELDS] * len(world["ordered"])  # no output
    first = answer["executions"][0]
    assert first["created_at"] == "2023-11-14 22:13:20" and first["description"] in ("d1", "d2")
    assert _ids(_list(client, "sort_dirs=desc")) == world["newest"]  # one second's executions: id ascending
    assert _ids(_list(client, "sort_keys=created_at,id&sort_dirs=desc,desc")) == world["ordered"][::-1]
    with_output = _list(client, "include_output=true&workflow_name=wa&limit=1")["executions"][0]
    assert list(with_output) == LIST_FIELDS[:12] + ["output"] + LIST_FIELDS[12:]
    assert with_output["output"] == '{"x": 1}'
    assert _list(client, "fields=output,state&workflow_name=wa&limit=1")["executions"] == [
        {"id": world["e1"], "state": "SUCCESS", "output": '{"x": 1}'}]  # id first, then resource order


def test_paging_is_keyset_and_follows_next_links(client, world):
    assert _pages(client, "limit=2") == world["ordered"]
    assert _pages(client, "limit=3&sort_dirs=desc") == world["newest"]
    assert _pages(client, "limit=2&workflow_name=wa") == [e for e in world["ordered"]
                                                          if e in _ids(_list(client, "workflow_name=wa"))]
    page = _list(client, "limit=2&workflow_name=wa")
    assert page["next"].startswith("http") and f"marker={page['executions'][1]['id']}" in page["next"]
    after = _list(client, f"marker={world['e3']}")
    assert _ids(after) == world["ordered"][world["ordered"].index(world["e3"]) + 1:]


def test_filters(client, world):
    wa = world["wfs"]["wa"]["id"]
    assert _ids(_list(client, "workflow_name=wb")) == [world["e2"]]
    assert _ids(_list(client, "state=ERROR")) == [world["e2"]]
    assert len(_ids(_list(client, "state=IDLE"))) == 40
    assert _ids(_list(client, "state=in:ERROR,RUNNING")) == [world["e2"]]
    assert len(_ids(_list(client, "state=neq:ERROR"))) == len(world["ordered"]) - 1
    assert _ids(_list(client, f"workflow_id={wa}")) == [world["e1"], world["e3"], world["child"],
                                                        *sorted(world["same"])]
    assert _ids(_list(client, "description=has:d")) == sorted([world["e1"], world["e2"]])  # one second
    assert _ids(_list(client, "description=d2")) == [world["e2"]]
    params = quote(json.dumps({"env": {"k": 1}, "namespace": ""}))
    assert _ids(_list(client, f"params={params}")) == [world["e2"]]
    assert _ids(_list(client, f"params={quote(json.dumps({'namespace': '', 'env': {'k': 1}}))}")) == []
    assert _ids(_list(client, f"task_execution_id={world['task']}")) == [world["child"]]
    assert _ids(_list(client, f"root_execution_id={world['e4']}")) == [world["child"]]
    roots = _list(client, "nulls=root_execution_id&fields=root_execution_id")
    assert _ids(roots) == [e for e in world["ordered"] if e != world["child"]]
    assert all(e["root_execution_id"] is None for e in roots["executions"])
    assert _ids(_list(client, "created_at=gte:2023-11-14 22:13:23&workflow_name=wa")) == \
        sorted(world["same"])  # one second: by id
    by_name = _list(client, "sort_keys=workflow_name,created_at&sort_dirs=desc&fields=workflow_name")
    assert [e["workflow_name"] for e in by_name["executions"]] == sorted(
        [e["workflow_name"] for e in _list(client)["executions"]], reverse=True)
    assert _ids(_list(client, "all_projects=true")) == world["ordered"]
    assert _ids(_list(client, "project_id=someone-else")) == []


def test_a_page_reads_only_what_it_needs(client, world, own):
    """40 executions of one workflow: a page of 3, newest first, reads a few index keys
    and the 3 headers it shows, not the 40 (items read: index entries and headers)."""
    stats = own.executions.stats
    for query in ("workflow_name=many&limit=3&sort_dirs=desc", "state=IDLE&limit=3", "limit=3&sort_dirs=desc"):
        read, gets = stats.items_read, stats.calls.get("BatchGetItem", 0)
        page = _list(client, query)
        assert len(page["executions"]) == 3 and "next" in page
        assert stats.items_read - read <= 5 + 3 and stats.calls.get("BatchGetItem", 0) - gets == 1, query
    read = stats.items_read
    assert len(_pages(client, "workflow_name=many&limit=20")) == 40
    assert stats.items_read - read <= 2 * (40 + 22)


def test_what_mistral_refuses(client, world):
    def refused(query: str, status: int = 400) -> str:
        code, answer = request(client, "GET", f"/v2/executions?{query}")
        assert code == status, answer
        return answer["faultstring"]

    assert refused("zzz=1") == 'Unknown argument: "zzz"'
    assert refused("workflow_id=notuuid") == ("Invalid input for field/attribute workflow_id. Value: 'notuuid'. "
                                              "unable to convert to uuid. Error: Expected a uuid but received "
                                              "notuuid.")
    assert refused("task_execution_id=notuuid").startswith("Invalid input for field/attribute task_execution_id.")
    assert refused("input=notjson") == ("Invalid input for field/attribute input. Value: 'notjson'. unable to "
                                        "convert to json. Error: Expecting value: line 1 column 1 (char 0)")
    assert refused("nulls=foo") == "'foo' is not a valid field name."  # Mistral: 500
    assert refused("nulls=id") == "The field 'id' can't hold None value."  # Mistral: 500
    assert refused("limit=0") == "Limit must be positive."
    assert refused("sort_dirs=up") == "Unknown sort direction, must be 'desc' or 'asc'."
    assert refused("fields=nope").startswith("Some fields do not exist  [nope], please choose from [id, "
                                             "workflow_id, workflow_name,")
    missing = str(uuid.uuid4())
    assert refused(f"marker={missing}", 404) == f"WorkflowExecution not found [id={missing}]"
    assert refused("include_output=maybe").startswith("Invalid input for field/attribute include_output.")


def test_get_with_fields(client, world):
    eid = world["e2"]
    assert call(client, "GET", f"/v2/executions/{eid}?fields=state,workflow_name") == {
        "id": eid, "workflow_name": "wb", "state": "ERROR"}
    assert list(call(client, "GET", f"/v2/executions/{eid}?fields=output")) == ["id", "output"]
    for name in ("nope", "published_global"):
        code, answer = request(client, "GET", f"/v2/executions/{eid}?fields={name}")
        assert (code, answer["faultstring"]) == (400, f"Field '{name}' does not exist.")
