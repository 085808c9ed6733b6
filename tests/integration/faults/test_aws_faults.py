"""The fault switch, and AWS calls that fail or hang: DynamoDB and SQS throttling
and timing out (some after AWS did the work) are retried by the clients' own retry
configuration (botocore's standard mode), and workflows end as without faults."""

from __future__ import annotations

import logging

import pytest

from sirocco.local.faults import FaultSpec, Faults

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
