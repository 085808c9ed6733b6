"""The meter on real boto3 clients against the emulator over HTTP: DynamoDB writes billed
by the larger of the stored item before and after them (looked up in the emulator),
reads by what they read, and every attempt botocore makes, throttled ones included."""

from __future__ import annotations

import uuid
from typing import Any, Iterator

import boto3
import pytest
from botocore.config import Config

from sirocco.local import devmeter, faults
from sirocco.metering import meter, working_for
from sirocco.metering.ledger import Ledger

EXECUTION = "metered-execution"


@pytest.fixture
def ledger(aws_endpoint: str) -> Iterator[Ledger]:
    from moto.core import DEFAULT_ACCOUNT_ID

    kept = Ledger()
    meter.install(stored=devmeter.moto_sizes(DEFAULT_ACCOUNT_ID, "us-east-1"), ledger=kept)
    try:
        yield kept
    finally:
        meter.uninstall()


def _client(service: str, **config: Any) -> Any:
    return boto3.client(service, region_name="us-east-1", config=Config(**config) if config else None)


def _line(ledger: Ledger, service: str, operation: str) -> Any:
    usage = ledger.usage(EXECUTION)
    assert usage is not None
    return usage.lines[(service, operation)]


def test_writes_cost_the_larger_of_the_item_before_and_after(ledger: Ledger) -> None:
    table = f"meter-{uuid.uuid4().hex[:8]}"
    dynamodb = _client("dynamodb")
    dynamodb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                          AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                          KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    key = {"pk": {"S": "k"}}
    with working_for(EXECUTION):
        dynamodb.put_item(TableName=table, Item={**key, "b": {"S": "x" * 1500}})  # 1,505 bytes: 2 units
        dynamodb.update_item(TableName=table, Key=key, UpdateExpression="SET b = :b",  # grows to 3,005: 3
                             ExpressionAttributeValues={":b": {"S": "x" * 3000}})
        dynamodb.update_item(TableName=table, Key=key, UpdateExpression="SET b = :b",  # shrinks from 3,005: 3
                             ExpressionAttributeValues={":b": {"S": "x"}})
        dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True)  # 6 bytes: 1 unit
        dynamodb.delete_item(TableName=table, Key=key)  # the 6-byte item: 1 unit
    assert _line(ledger, "dynamodb", "PutItem").units == 2
    assert _line(ledger, "dynamodb", "UpdateItem").units == 3 + 3
    assert _line(ledger, "dynamodb", "GetItem").units == 1
    assert _line(ledger, "dynamodb", "DeleteItem").units == 1
    assert ledger.usage("") is None  # CreateTable ran for no execution: unattributed, not ""


def test_every_attempt_is_counted(ledger: Ledger) -> None:
    sqs = _client("sqs", retries={"mode": "standard", "max_attempts": 10})
    url = sqs.create_queue(QueueName=f"meter-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    throttling = faults.Faults(faults.FaultSpec(throttle=0.5, seed=1))
    faults.install()
    faults.attach(sqs)
    throttling.activate()
    attempts = 0
    try:
        with working_for(EXECUTION):
            for _ in range(10):
                answer = sqs.send_message(QueueUrl=url, MessageBody="x")
                attempts += 1 + answer["ResponseMetadata"]["RetryAttempts"]
    finally:
        throttling.deactivate()
        faults.uninstall()
    assert throttling.injected["throttle"] > 0
    line = _line(ledger, "sqs-standard", "SendMessage")
    assert line.requests == attempts > 10
    assert line.units == attempts
