"""The fault switch, and AWS calls that fail or hang: DynamoDB and SQS throttling
and timing out (some after AWS did the work) are retried by the clients' own retry
configuration (botocore's standard mode), and workflows end as without faults."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

import pytest

from sirocco.api import workflows as api_workflows
from sirocco.local.faults import FaultSpec, Faults
from sirocco.persistence.settings import DEFAULT_PROJECT

from .harness import Chaos, Stack, outcome, partitions

WORKFLOW = """
version: '2.0'
aws_faults:
  input: [n]
  output: {v: <% $.v %>}
  task-defaults: {safe-rerun: true}
  tasks:
    each:
      with-items: x in <% range($.n) %>
      action: std.echo output=<% $.x %>
      publish: {v: <% task().result %>}
"""


def test_the_switch_reads_probabilities_per_kind_and_refuses_what_it_does_not_know() -> None:
    spec = FaultSpec.parse("duplicate=1.0, crash=0.05,lost=0.01,throttle=0.02,seed=7")
    assert (spec.duplicate, spec.crash, spec.lost, spec.throttle, spec.timeout, spec.seed) == \
        (1.0, 0.05, 0.01, 0.02, 0.0, 7)
    assert str(spec) == "duplicate=1,crash=0.05,lost=0.01,throttle=0.02,seed=7" and spec.active
    assert not FaultSpec.parse("").active
    for bad, reason in (("nap=0.1", "unknown fault 'nap'"), ("crash=2", "between 0 and 1"),
                        ("crash", "expected name=probability"), ("slow=often", "not a number")):
        with pytest.raises(ValueError, match=reason):
            FaultSpec.parse(bad)


def test_every_client_retries_in_botocore_standard_mode(stack: Stack) -> None:
    rt = stack.rt
    pynamodb = rt.executions.Item._get_connection().connection.client
    for client in (rt.queues.client, rt.payloads.client, pynamodb):
        assert client.meta.config.retries["mode"] == "standard", client.meta.service_model.service_name


def test_a_throttled_call_is_retried_by_the_client(stack: Stack) -> None:
    url = stack.url("timer")
    faults = Faults(FaultSpec(throttle=1.0)).activate()
    try:
        with pytest.raises(Exception, match="ThrottlingException"):
            stack.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    finally:
        faults.deactivate()
    assert faults.injected["throttle"] == 3  # botocore's standard mode: 3 attempts
    faults = Faults(FaultSpec(throttle=0.5, seed=3)).activate()
    try:
        answer = stack.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    finally:
        faults.deactivate()
    assert answer["ResponseMetadata"]["RetryAttempts"] == faults.injected["throttle"] >= 1


def test_workflows_end_as_without_faults_while_dynamodb_and_sqs_throttle_and_time_out(stack: Stack) -> None:
    logging.getLogger("sirocco.shell").setLevel(logging.WARNING)
    try:
        stack.upload(WORKFLOW)
        reference = Chaos(stack)
        plain = stack.start("aws_faults", {"n": 4})
        assert not reference.settle([plain], timeout=30)
        faults = Faults(FaultSpec(throttle=0.05, timeout=0.05, duplicate=0.2, crash=0.1, seed=11)).activate()
        try:
            delivery = Chaos(stack, faults, seed=11)
            ids = [stack.start("aws_faults", {"n": 4}) for _ in range(4)]
            assert not delivery.settle(ids, timeout=120)
        finally:
            faults.deactivate()
    finally:
        logging.getLogger("sirocco.shell").setLevel(logging.INFO)
    assert faults.injected["throttle"] and faults.injected["timeout"]
    found = partitions(stack.rt)
    want = outcome(found, plain)
    assert want["output"] == {"v": [0, 1, 2, 3]}
    assert all(outcome(found, eid) == want for eid in ids)


class _AnsweredLate(Faults):
    """The first ``operation`` call is applied by AWS and its answer lost: botocore retries it."""

    def __init__(self, operation: str) -> None:
        super().__init__(FaultSpec())
        self.operation = operation
        self.done = False

    def before_send(self, request: Any, service: str) -> Any:
        target = request.headers.get("X-Amz-Target", b"")
        target = target.decode() if isinstance(target, bytes) else target
        if not self.done and target.endswith(f".{self.operation}"):
            from botocore.exceptions import ReadTimeoutError

            self.done = True
            self._send(request)
            raise ReadTimeoutError(endpoint_url=request.url)
        return None


@pytest.mark.parametrize("operation", ["PutItem", "TransactWriteItems"])
def test_a_definition_whose_create_was_answered_late_is_created_not_a_duplicate(stack: Stack,
                                                                                 operation: str) -> None:
    from sirocco.api import environments

    name = f"late_{operation.lower()}_{uuid.uuid4().hex[:6]}"
    faults = _AnsweredLate(operation).activate()
    try:
        if operation == "PutItem":
            status, body = environments.create(stack.rt, {"name": name, "variables": json.dumps({"a": 1})},
                                               project_id=DEFAULT_PROJECT)
        else:
            status, body = api_workflows.create(stack.rt, f"version: '2.0'\n{name}:\n  tasks:\n"
                                                          "    t:\n      action: std.noop\n")
    finally:
        faults.deactivate()
    assert faults.done and status == 201, body


def test_a_standalone_action_stored_and_completed_with_late_answers_is_neither_refused_nor_already_done(
        stack: Stack) -> None:
    from sirocco.engine.records import ActionRecord

    store = stack.rt.executions
    action_id = str(uuid.uuid4())
    record = ActionRecord(id=action_id, task_id="", run=1, index=0, name="std.noop", input={}, created_at=1.0)
    faults = _AnsweredLate("PutItem").activate()
    try:
        store.put_standalone_action(record, {"project_id": DEFAULT_PROJECT})  # no ConditionalCheckFailed
    finally:
        faults.deactivate()
    assert faults.done
    faults = _AnsweredLate("PutItem").activate()
    try:
        done = store.complete_standalone_action(action_id, "SUCCESS", {"v": 1}, 2.0)
    finally:
        faults.deactivate()
    assert faults.done and done is not None and done[2] is True  # completed now, by this call
    assert done[0].state == "SUCCESS" and store.get_standalone_action(action_id)[0].result == {"v": 1}
