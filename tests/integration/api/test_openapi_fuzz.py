"""Schemathesis against the served OpenAPI description: every operation, with
generated valid and invalid requests, must answer no 5xx, only status codes
the description lists, and bodies and content types that match it.

The requests go through the Chalice app in this process (``ChaliceAdapter``:
the same routing and handlers ``sirocco dev`` and API Gateway run, without
sockets) to tables and queues of this module's own on moto's server, seeded
with one of each resource, ended executions (delivered by hand), their tasks
and action runs, so that generated paths hit real items as well as unknown
ones. Bounded and deterministic: a fixed number of examples per operation,
derandomized, no example database, no deadline (a loaded machine is slow,
never wrong), and nothing waits for the engine (``SIROCCO_API_APPLY_WAIT=0``).
"""

from __future__ import annotations

import io
import os
import uuid
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from urllib3 import HTTPResponse

from sirocco.api import openapi
from sirocco.handlers import runtime as runtime_module
from sirocco.handlers.runtime import Runtime, set_runtime
from sirocco.persistence import create_tables

from ..shell.delivery import Delivery

#: generated requests per operation (~20 s for all on a 2-core machine); SIROCCO_FUZZ_EXAMPLES=200 for a deeper run
MAX_EXAMPLES = int(os.environ.get("SIROCCO_FUZZ_EXAMPLES") or 12)
BASE_URL = "http://sirocco.test"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
BROKEN = "version: '2.0'\nbroken:\n  tasks:\n    fail:\n      action: std.fail\n"


class ChaliceAdapter(BaseAdapter):
    """A requests transport that hands each request to the Chalice app's local
    gateway (the request line as an HTTP server would receive it)."""

    def __init__(self, http: Any) -> None:
        super().__init__()
        self.http = http  # chalice.test's TestHTTPClient

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        url = urlsplit(request.url)
        body = request.body or b""
        answer = self.http.request(request.method, url.path + (f"?{url.query}" if url.query else ""),
                                   headers=dict(request.headers),
                                   body=body.encode("utf-8") if isinstance(body, str) else body)
        content = answer.body.encode("utf-8") if isinstance(answer.body, str) else (answer.body or b"")
        # as chalice's dev server sends it: application/json unless the answer names a type
        headers = {"Content-Type": "application/json", **(answer.headers or {})}
        raw = HTTPResponse(body=io.BytesIO(content), headers=headers, status=answer.status_code, version=11,
                           reason=HTTPStatus(answer.status_code).phrase, preload_content=False)
        response = requests.Response()
        response.status_code, response.reason, response.raw = answer.status_code, raw.reason, raw
        response.headers = CaseInsensitiveDict(headers)
        response._content = content
        response.url, response.request, response.encoding = request.url, request, "utf-8"
        return response

    def close(self) -> None:
        pass


@pytest.fixture(scope="module")
def fuzz_runtime(aws_endpoint: str) -> Runtime:
    """Tables, bucket and queues of this module alone: what the fuzz creates and
    deletes never meets another test's data."""
    suffix = uuid.uuid4().hex[:8]
    env = {**os.environ,
           "SIROCCO_EXECUTIONS_TABLE": f"fuzz-executions-{suffix}",
           "SIROCCO_DEFINITIONS_TABLE": f"fuzz-definitions-{suffix}",
           "SIROCCO_PAYLOAD_BUCKET": f"fuzz-payloads-{suffix}",
           "SIROCCO_ENGINE_QUEUE": f"fuzz-engine-{suffix}.fifo",
           "SIROCCO_EXECUTOR_QUEUE": f"fuzz-executor-{suffix}",
           "SIROCCO_TIMER_QUEUE": f"fuzz-timer-{suffix}",
           "SIROCCO_NOTIFIER_QUEUE": f"fuzz-notifier-{suffix}",
           "SIROCCO_EVENTS_QUEUE": f"fuzz-events-{suffix}",
           "SIROCCO_API_APPLY_WAIT": "0"}
    rt = Runtime.from_env(env)
    create_tables(rt.executions.models)
    rt.payloads.ensure_bucket()
    names = [*rt.queue_settings.queues().values(), f"{rt.queue_settings.executor_queue}-special"]
    for name in names:
        fifo = {"FifoQueue": "true"} if name.endswith(".fifo") else {}
        rt.queues.client.create_queue(QueueName=name, Attributes={**fifo, "VisibilityTimeout": "30"})
    return rt


@pytest.fixture
def rt(fuzz_runtime: Runtime) -> Iterator[Runtime]:
    """This module's runtime, installed for the app (overrides the package's)."""
    before = runtime_module._runtime
    set_runtime(fuzz_runtime)
    yield fuzz_runtime
    set_runtime(before)


def _post(session: requests.Session, path: str, body: Any) -> Any:
    if isinstance(body, str):
        response = session.post(BASE_URL + path, data=body.encode(), headers={"Content-Type": "text/plain"})
    else:
        response = session.post(BASE_URL + path, json=body)
    assert response.status_code == 201, (path, response.status_code, response.text)
    return response.json()


def _seed(session: requests.Session, rt: Runtime, description: dict[str, Any]) -> dict[tuple[str, str], list[str]]:
    """One of each resource (the description's own examples), and ended
    executions with tasks and action runs; the values path parameters may take,
    by (resource, parameter)."""
    def example(path: str, method: str) -> Any:
        content = description["paths"][path][method]["requestBody"]
        if "$ref" in content:
            content = description["components"]["requestBodies"][content["$ref"].rsplit("/", 1)[1]]
        media = content["content"]
        return media["text/plain" if "text/plain" in media else "application/json"]["example"]

    delivery = Delivery(rt)
    delivery.drain()
    hello = _post(session, "/v2/workflows", example("/v2/workflows", "post"))["workflows"][0]
    _post(session, "/v2/workflows", BROKEN)
    _post(session, "/v2/workbooks", example("/v2/workbooks", "post"))
    _post(session, "/v2/actions", example("/v2/actions", "post"))
    _post(session, "/v2/environments", example("/v2/environments", "post"))
    _post(session, "/v2/cron_triggers", {**example("/v2/cron_triggers", "post"), "workflow_input": {"name": "x"}})
    event = _post(session, "/v2/event_triggers", {**example("/v2/event_triggers", "post"), "workflow_id": hello["id"],
                                                  "workflow_input": {"name": "x"}})
    done = _post(session, "/v2/executions", {**example("/v2/executions", "post"), "id": "fuzz-done"})
    failed = _post(session, "/v2/executions", {"workflow_name": "broken", "id": "fuzz-failed"})
    delivery.run()
    running = _post(session, "/v2/executions", {**example("/v2/executions", "post"), "id": "fuzz-running"})
    saved = _post(session, "/v2/action_executions", {"name": "std.echo", "input": {"output": 1},
                                                     "params": {"save_result": True}})
    waiting = _post(session, "/v2/action_executions", {"name": "std.async_noop"})
    tasks = [t["id"] for e in (done, failed) for t in session.get(f"{BASE_URL}/v2/executions/{e['id']}/tasks")
             .json()["tasks"]]
    runs = [a["id"] for t in tasks for a in session.get(f"{BASE_URL}/v2/tasks/{t}/action_executions")
            .json()["action_executions"]]
    assert tasks and runs
    executions, actions = [done["id"], failed["id"], running["id"]], [*runs, saved["id"], waiting["id"]]
    return {("workflows", "identifier"): ["hello", hello["id"], "broken"],
            ("actions", "identifier"): ["shout", "std.echo"],
            ("cron_triggers", "identifier"): ["nightly"],
            ("event_triggers", "identifier"): [event["id"]],
            ("workbooks", "name"): ["greetings"],
            ("environments", "name"): ["staging"],
            ("executions", "execution_id"): executions,
            ("tasks", "task_id"): tasks,
            ("tasks", "action_id"): runs,
            ("action_executions", "action_id"): actions,
            ("console", "name"): ["main.js", "console.css", "dagre.min.js"]}


def _operations() -> list[str]:
    """``METHOD /path`` of every operation the shipped description lists, deletes
    last (so that the seeded items are there for the other operations)."""
    found = [f"{method.upper()} {path}" for path, item in openapi.description()["paths"].items()
             for method in item if method in ("get", "put", "post", "delete", "patch")]
    return sorted(found, key=lambda label: label.startswith("DELETE "))


@dataclass
class Fuzz:
    schema: Any
    session: requests.Session


@pytest.fixture(scope="module")
def fuzz(client: Any, fuzz_runtime: Runtime) -> Iterator[Fuzz]:
    """The served description, loaded by schemathesis, and a session to the app;
    seeded items are mixed into generated path parameters."""
    before = runtime_module._runtime
    set_runtime(fuzz_runtime)
    session = requests.Session()
    session.mount(BASE_URL, ChaliceAdapter(client.http))
    try:
        description = session.get(f"{BASE_URL}/v2/openapi.json").json()
        known = {name: st.sampled_from(values) for name, values in _seed(session, fuzz_runtime, description).items()}
        schema = schemathesis.openapi.from_dict(description)

        @schema.hook
        def flatmap_path_parameters(context: Any, generated: dict[str, Any] | None) -> Any:
            """The generated parameters, or the resource's seeded items in their place."""
            if not generated:
                return st.just(generated)
            resource = next(part for part in context.operation.path.split("/") if part not in ("", "v2"))
            return st.one_of(st.just(generated), st.fixed_dictionaries(
                {k: known.get((resource, k), st.just(v)) for k, v in generated.items()}))

        yield Fuzz(schema, session)
    finally:
        set_runtime(before)


@pytest.mark.parametrize("label", _operations())
def test_operation_answers_as_described(label: str, fuzz: Fuzz) -> None:
    operation = fuzz.schema.find_operation_by_label(label)
    assert operation is not None, label
    strategy = st.one_of(*operation.get_strategies_from_examples(),
                         operation.as_strategy(GenerationMode.POSITIVE),
                         operation.as_strategy(GenerationMode.NEGATIVE))

    @given(case=strategy)
    @settings(max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        response = case.call(base_url=BASE_URL, session=fuzz.session)
        case.validate_response(response, checks=CHECKS)

    run()
