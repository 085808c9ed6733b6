"""The embedded emulator answers this process's own DynamoDB and SQS requests
without HTTP: what a client sees is what the HTTP endpoint answers, errors
included, and fault injection still comes first."""

from __future__ import annotations

import uuid
from typing import Iterator

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from sirocco.local import faults
from sirocco.local.devemulator import Emulator

CREDENTIALS = {"region_name": "us-east-1", "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture()
def emulator() -> Iterator[Emulator]:
    started = Emulator()
    started.start()
    try:
        yield started
    finally:
        started.stop()


def _client(service: str, url: str, **config: object) -> object:
    return boto3.client(service, endpoint_url=url, config=Config(**config), **CREDENTIALS)  # type: ignore[arg-type]


def _over_http(service: str, url: str) -> object:
    """A client of the same emulator that another process would be (its URL spelt otherwise)."""
    return _client(service, url.replace("127.0.0.1", "localhost"))


def test_writes_in_process_are_read_over_http_and_back(emulator: Emulator) -> None:
    assert emulator.url is not None
    table = f"t{uuid.uuid4().hex[:8]}"
    direct, http = _client("dynamodb", emulator.url), _over_http("dynamodb", emulator.url)
    direct.create_table(TableName=table, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],  # type: ignore[attr-defined]
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                        BillingMode="PAY_PER_REQUEST")
    direct.put_item(TableName=table, Item={"pk": {"S": "a"}, "v": {"N": "1"}})  # type: ignore[attr-defined]
    assert http.get_item(TableName=table, Key={"pk": {"S": "a"}})["Item"]["v"] == {"N": "1"}  # type: ignore[attr-defined]
    http.update_item(TableName=table, Key={"pk": {"S": "a"}}, UpdateExpression="SET v = :v",  # type: ignore[attr-defined]
                     ExpressionAttributeValues={":v": {"N": "2"}})
    assert direct.get_item(TableName=table, Key={"pk": {"S": "a"}})["Item"]["v"] == {"N": "2"}  # type: ignore[attr-defined]
    with pytest.raises(ClientError) as refused:
        direct.put_item(TableName=table, Item={"pk": {"S": "a"}},  # type: ignore[attr-defined]
                        ConditionExpression="attribute_not_exists(pk)")
    assert refused.value.response["Error"]["Code"] == "ConditionalCheckFailedException"

    sqs, sqs_http = _client("sqs", emulator.url), _over_http("sqs", emulator.url)
    queue = sqs.create_queue(QueueName=f"q{uuid.uuid4().hex[:8]}")["QueueUrl"]  # type: ignore[attr-defined]
    assert queue.startswith(emulator.url)  # the URL a client of the endpoint is given, as over HTTP
    sqs.send_message(QueueUrl=queue, MessageBody="hello")  # type: ignore[attr-defined]
    got = sqs_http.receive_message(QueueUrl=queue, WaitTimeSeconds=1)["Messages"]  # type: ignore[attr-defined]
    assert [m["Body"] for m in got] == ["hello"]
    with pytest.raises(ClientError) as missing:
        sqs.get_queue_url(QueueName="no-such-queue")  # type: ignore[attr-defined]
    assert "NonExistentQueue" in missing.value.response["Error"]["Code"]


def test_injected_throttles_still_reach_in_process_clients(emulator: Emulator) -> None:
    assert emulator.url is not None
    faults.install()
    injected = faults.Faults(faults.FaultSpec.parse("throttle=1.0")).activate()
    try:
        client = _client("dynamodb", emulator.url, retries={"max_attempts": 1, "mode": "standard"})
        with pytest.raises(ClientError) as throttled:
            client.list_tables()  # type: ignore[attr-defined]
        assert throttled.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
    finally:
        injected.deactivate()
        faults.uninstall()

