"""One AWS request's usage: DynamoDB writes by the larger of the item before and after,
reads by what they read, transactions twice; SQS per 64 KB of what a request carries."""

from __future__ import annotations

import json
from typing import Any, Mapping

import pytest

from sirocco.metering.requests import dynamodb_before, dynamodb_units, owners_of, usage_of


def _item(size: int) -> dict[str, Any]:
    """An item of exactly ``size`` bytes: key ``pk`` (2 + 1) and a string attribute ``b``."""
    return {"pk": {"S": "x"}, "b": {"S": "y" * (size - 4)}}


def _stored(sizes: Mapping[str, int]) -> Any:
    def stored(table: str, item: Mapping[str, Any]) -> int | None:
        return sizes.get(item["pk"]["S"], 0)
    return stored


def test_put_item_costs_the_larger_of_the_new_item_and_the_one_it_replaces() -> None:
    params = {"TableName": "t", "Item": _item(1500)}
    assert dynamodb_units("PutItem", params, {}, [None]) == 2
    assert dynamodb_units("PutItem", params, {}, dynamodb_before("PutItem", params, _stored({"x": 3000}))) == 3


def test_update_item_costs_the_larger_of_before_and_after() -> None:
    params = {"TableName": "t", "Key": {"pk": {"S": "x"}}, "UpdateExpression": "SET b = :b",
              "ExpressionAttributeValues": {":b": {"S": "y"}}}
    before = dynamodb_before("UpdateItem", params, _stored({"x": 5000}))
    assert dynamodb_units("UpdateItem", params, {}, before, _stored({"x": 100})) == 5
    # not known where the data lives: the size of what the request writes stands in
    assert dynamodb_units("UpdateItem", params, {}, [None]) == 1


def test_a_failed_condition_still_costs_the_write() -> None:
    params = {"TableName": "t", "Item": _item(2048), "ConditionExpression": "attribute_not_exists(pk)"}
    assert usage_of("dynamodb", "PutItem", params, None).lines[("dynamodb", "PutItem")].units == 2


def test_delete_costs_the_deleted_item_and_at_least_one_unit() -> None:
    params = {"TableName": "t", "Key": {"pk": {"S": "x"}}}
    assert dynamodb_units("DeleteItem", params, {}, dynamodb_before("DeleteItem", params, _stored({"x": 2500}))) == 3
    assert dynamodb_units("DeleteItem", params, {}, [0]) == 1


def test_batch_writes_round_each_item_and_transactions_cost_twice() -> None:
    params = {"RequestItems": {"t": [{"PutRequest": {"Item": _item(100)}},
                                     {"PutRequest": {"Item": _item(1500)}}]}}
    assert dynamodb_units("BatchWriteItem", params, {}, [None, None]) == 1 + 2
    transact = {"TransactItems": [{"Put": {"TableName": "t", "Item": _item(100)}},
                                  {"ConditionCheck": {"TableName": "t", "Key": {"pk": {"S": "x"}}}}]}
    assert dynamodb_units("TransactWriteItems", transact, {}, [None, 600]) == 2 * 1 + 2 * 1


def test_a_batch_write_bills_the_items_it_wrote_not_those_it_left_unprocessed() -> None:
    small, large = {"PutRequest": {"Item": _item(100)}}, {"PutRequest": {"Item": _item(1500)}}
    params = {"RequestItems": {"t": [small, large]}}
    assert dynamodb_units("BatchWriteItem", params, {"UnprocessedItems": {"t": [large]}}, [None, None]) == 1


def test_reads_cost_what_they_read() -> None:
    get = {"TableName": "t", "Key": {"pk": {"S": "x"}}, "ConsistentRead": True}
    assert dynamodb_units("GetItem", get, {"Item": _item(5000)}, []) == 2
    assert dynamodb_units("GetItem", {**get, "ConsistentRead": False}, {"Item": _item(5000)}, []) == 1
    assert dynamodb_units("GetItem", get, {}, []) == 1  # an item that is not there still reads
    query = {"TableName": "t", "ConsistentRead": True}
    assert dynamodb_units("Query", query, {"Items": [_item(1000)] * 5}, []) == 2  # 5,000 bytes rounded once
    batch = {"RequestItems": {"t": {"Keys": [{"pk": {"S": str(i)}} for i in range(3)], "ConsistentRead": True}}}
    assert dynamodb_units("BatchGetItem", batch, {"Responses": {"t": [_item(1000)] * 2}}, []) == 3
    assert dynamodb_units("TransactGetItems", {}, {"Responses": [{"Item": _item(100)}]}, []) == 2


def test_a_projection_reads_the_whole_item_all_the_same() -> None:
    query = {"TableName": "t", "ConsistentRead": True, "ProjectionExpression": "pk"}
    keys_only = {"Items": [{"pk": {"S": "x"}}] * 3}
    assert dynamodb_units("Query", query, keys_only, [], _stored({"x": 3000})) == 3  # 9,000 bytes read
    assert dynamodb_units("Query", query, keys_only, []) == 1  # not known where the data lives


def test_a_get_item_projection_without_the_key_reads_the_whole_item() -> None:
    def stored(table: str, item: Mapping[str, Any]) -> int | None:
        if "sk" not in item:
            return None  # as the emulator's look-up: no item without its whole key
        return 9000 if (item["pk"]["S"], item["sk"]["S"]) == ("x", "EXEC") else 0

    get = {"TableName": "t", "Key": {"pk": {"S": "x"}, "sk": {"S": "EXEC"}}, "ConsistentRead": True,
           "ProjectionExpression": "#0, #1"}
    answer = {"Item": {"pk": {"S": "x"}, "gone": {"N": "1"}}}  # is_live's read: pk and gone only
    assert dynamodb_units("GetItem", get, answer, [], stored) == 3


def test_sqs_requests_are_billed_per_64_kb_of_the_batch_and_by_queue_type() -> None:
    entries = [{"Id": str(i), "MessageBody": "x" * 40_000, "MessageGroupId": f"e{i % 2}"} for i in range(3)]
    fifo = {"QueueUrl": "https://sqs/123/q.fifo", "Entries": entries}
    usage = usage_of("sqs", "SendMessageBatch", fifo, {}, wire_bytes=10)
    assert usage.lines[("sqs-fifo", "SendMessageBatch")].units == 2  # 120,000 bytes
    standard = usage_of("sqs", "SendMessage", {"QueueUrl": "https://sqs/123/q", "MessageBody": "hi"}, {})
    assert standard.lines[("sqs-standard", "SendMessage")].units == 1


def test_every_attempt_botocore_made_is_billed() -> None:
    usage = usage_of("sqs", "SendMessage", {"QueueUrl": "q", "MessageBody": "hi"}, {}, attempts=3)
    line = usage.lines[("sqs-standard", "SendMessage")]
    assert (line.requests, line.units) == (3, 3)


def test_a_send_names_the_executions_of_its_messages() -> None:
    entries = [{"MessageBody": "{}", "MessageGroupId": "e1"}, {"MessageBody": "{}", "MessageGroupId": "e2:webhook"},
               {"MessageBody": json.dumps({"v": 1, "type": "RunAction", "fields": {"execution_id": "e3"}})}]
    assert owners_of("sqs", "SendMessageBatch", {"Entries": entries}) == ("e1", "e2", "e3")
    assert owners_of("dynamodb", "PutItem", {}) == ()


@pytest.mark.parametrize("operation", ["GetObject", "PutObject"])
def test_other_services_count_requests(operation: str) -> None:
    assert usage_of("s3", operation, {}, {}).lines[("s3", operation)].requests == 1


def test_an_event_is_billed_per_64_kb_of_its_whole_entry() -> None:
    entry = {"Source": "sirocco", "DetailType": "x" * 100, "Detail": json.dumps({"d": "y" * (64 * 1024 - 200)}),
             "Resources": ["arn:aws:states:::execution/" + "z" * 200]}
    usage = usage_of("events", "PutEvents", {"Entries": [entry]}, {})
    assert usage.lines[("events", "PutEvents")].units == 2  # the Detail alone fits in 64 KB, the entry does not
