"""The SQS event shape Lambda delivers, and the partial batch response it reads.

Handlers take ``{"Records": [...]}`` as Lambda builds it from an SQS event
source mapping and return ``{"batchItemFailures": [{"itemIdentifier": id}]}``
(the mapping needs ``FunctionResponseTypes: [ReportBatchItemFailures]``).
``sqs_event`` builds the same shape from ``ReceiveMessage`` output, for a local
poller (``sirocco dev``) and the tests, so they call handlers exactly as Lambda does.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

#: what ReceiveMessage must ask for so that sqs_event can fill every field
RECEIVE_ARGS = {"AttributeNames": ["All"], "MessageAttributeNames": ["All"]}


def _attribute(value: Mapping[str, Any]) -> dict[str, Any]:
    return {"stringValue": value.get("StringValue"), "binaryValue": value.get("BinaryValue"),
            "stringListValues": list(value.get("StringListValues") or []),
            "binaryListValues": list(value.get("BinaryListValues") or []),
            "dataType": value.get("DataType", "String")}


def sqs_record(message: Mapping[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """One Lambda SQS record from one message of ``ReceiveMessage``."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes") or {}),
        "messageAttributes": {k: _attribute(v) for k, v in (message.get("MessageAttributes") or {}).items()},
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


def sqs_event(messages: Iterable[Mapping[str, Any]], queue_arn: str, region: str = "us-east-1") -> dict[str, Any]:
    """A Lambda SQS event from messages received from the queue ``queue_arn``."""
    return {"Records": [sqs_record(m, queue_arn, region) for m in messages]}


def records(event: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list(event.get("Records") or [])


def group_id(record: Mapping[str, Any]) -> str | None:
    return (record.get("attributes") or {}).get("MessageGroupId")


def receive_count(record: Mapping[str, Any]) -> int:
    try:
        return int((record.get("attributes") or {}).get("ApproximateReceiveCount") or 1)
    except (TypeError, ValueError):
        return 1


def batch_response(failed_ids: Iterable[str]) -> dict[str, Any]:
    """Lambda's partial batch response: the records to retry."""
    return {"batchItemFailures": [{"itemIdentifier": i} for i in failed_ids]}


def failed_ids(response: Mapping[str, Any] | None) -> set[str]:
    """The message ids a handler's response asks to retry."""
    return {f["itemIdentifier"] for f in (response or {}).get("batchItemFailures") or []}
