"""The shell against moto's server over real HTTP: fresh tables, bucket and
queues per test session, a ``Runtime`` bound to them and installed for the
Chalice app, and a small delivery loop that plays Lambda's SQS event source."""

from __future__ import annotations

import os
import uuid
from typing import Iterator

import pytest

from sirocco.actions import ActionContext, default_registry
from sirocco.handlers.runtime import Runtime, set_runtime
from sirocco.persistence import create_tables

from .delivery import Delivery


def _flaky(ctx: ActionContext, label: str = "") -> str:
    """Fails on the first attempt of a task (run 1 of its action id), succeeds after."""
    run = (ctx.action_execution_id or "x.1.0").split(".")[1]
    if run == "1":
        raise RuntimeError(f"flaky {label} failed")
    return f"flaky {label} ok"


def _big(ctx: ActionContext, size: int) -> str:
    return "x" * int(size)


@pytest.fixture(scope="session")
def shell_env(aws_endpoint: str) -> dict[str, str]:
    suffix = uuid.uuid4().hex[:8]
    return {**os.environ,
            "SIROCCO_EXECUTIONS_TABLE": f"sh-executions-{suffix}",
            "SIROCCO_DEFINITIONS_TABLE": f"sh-definitions-{suffix}",
            "SIROCCO_PAYLOAD_BUCKET": f"sh-payloads-{suffix}",
            "SIROCCO_ENGINE_QUEUE": f"sh-engine-{suffix}.fifo",
            "SIROCCO_EXECUTOR_QUEUE": f"sh-executor-{suffix}",
            "SIROCCO_TIMER_QUEUE": f"sh-timer-{suffix}",
            "SIROCCO_NOTIFIER_QUEUE": f"sh-notifier-{suffix}",
           # these tests deliver messages by hand: a request waiting for the engine would only wait
           "SIROCCO_API_APPLY_WAIT": "0",
           # every action through the executor queue (these tests count and break its messages);
           # test_delivery.py runs the engine's inline actions under the same faults
           "SIROCCO_INLINE_ACTIONS": "0"}


@pytest.fixture(scope="session")
def runtime(shell_env: dict[str, str]) -> Iterator[Runtime]:
    rt = Runtime.from_env(shell_env)
    registry = default_registry.copy()
    registry.register("test.flaky", _flaky)
    registry.register("test.big", _big)
    rt.registry = registry
    create_tables(rt.executions.models)
    rt.payloads.ensure_bucket()
    sqs = rt.queues.client
    qs = rt.queue_settings
    sqs.create_queue(QueueName=qs.engine_queue, Attributes={"FifoQueue": "true", "VisibilityTimeout": "30"})
    for name in (qs.executor_queue, qs.timer_queue, qs.notifier_queue, f"{qs.executor_queue}-special"):
        sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "30"})
    set_runtime(rt)
    yield rt
    set_runtime(None)


@pytest.fixture()
def rt(runtime: Runtime) -> Iterator[Runtime]:
    """The session's runtime, with per-test hooks reset."""
    runtime.checkpoint = None
    yield runtime
    runtime.checkpoint = None


@pytest.fixture()
def delivery(rt: Runtime) -> Iterator[Delivery]:
    d = Delivery(rt)
    d.drain()
    yield d
    d.drain()


@pytest.fixture(scope="session")
def client(runtime: Runtime):
    from chalice.test import Client

    import app as sirocco_app

    with Client(sirocco_app.app) as c:
        yield c

