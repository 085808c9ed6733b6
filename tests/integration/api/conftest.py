"""The API's definition resources through the Chalice test client, over
moto's server: fresh tables, bucket and queues for this package's session.

The app reads the process's runtime (``get_runtime``); each test installs
this package's runtime and puts back whatever was installed before, so these
tests and tests/integration/shell can run in one session in any order."""

from __future__ import annotations

import os
import uuid
from typing import Iterator

import pytest

from sirocco.handlers import runtime as runtime_module
from sirocco.handlers.runtime import Runtime, set_runtime
from sirocco.persistence import create_tables

from ..shell.delivery import Delivery


@pytest.fixture(scope="session")
def api_runtime(aws_endpoint: str) -> Runtime:
    suffix = uuid.uuid4().hex[:8]
    env = {**os.environ,
           "SIROCCO_EXECUTIONS_TABLE": f"api-executions-{suffix}",
           "SIROCCO_DEFINITIONS_TABLE": f"api-definitions-{suffix}",
           "SIROCCO_PAYLOAD_BUCKET": f"api-payloads-{suffix}",
           "SIROCCO_ENGINE_QUEUE": f"api-engine-{suffix}.fifo",
           "SIROCCO_EXECUTOR_QUEUE": f"api-executor-{suffix}",
           "SIROCCO_TIMER_QUEUE": f"api-timer-{suffix}",
           "SIROCCO_NOTIFIER_QUEUE": f"api-notifier-{suffix}",
           # these tests deliver messages by hand: a request waiting for the engine would only wait
           "SIROCCO_API_APPLY_WAIT": "0"}
    rt = Runtime.from_env(env)
    create_tables(rt.executions.models)
    rt.payloads.ensure_bucket()
    sqs = rt.queues.client
    qs = rt.queue_settings
    sqs.create_queue(QueueName=qs.engine_queue, Attributes={"FifoQueue": "true", "VisibilityTimeout": "30"})
    for name in (qs.executor_queue, qs.timer_queue, qs.notifier_queue, f"{qs.executor_queue}-special"):
        sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "30"})
    return rt


@pytest.fixture(autouse=True)
def rt(api_runtime: Runtime) -> Iterator[Runtime]:
    """This package's runtime, installed for the app during the test."""
    before = runtime_module._runtime
    set_runtime(api_runtime)
    yield api_runtime
    set_runtime(before)


@pytest.fixture(scope="session")
def client(api_runtime: Runtime):
    from chalice.test import Client

    import app as sirocco_app

    with Client(sirocco_app.app) as c:
        yield c


@pytest.fixture
def ns() -> str:
    """A namespace of the test's own, so that tests never see each other's definitions."""
    return "ns" + uuid.uuid4().hex[:10]


@pytest.fixture
def delivery(rt: Runtime) -> Iterator[Delivery]:
    """Lambda's SQS event source played by hand (tests/integration/shell/delivery.py)."""
    d = Delivery(rt)
    d.drain()
    yield d
    d.drain()
