"""One AWS request -> its usage line(s), by the billing rules of units.py.

``usage_of`` sees what botocore saw: the operation's parameters and its parsed
answer (None when it failed). DynamoDB bills a write by the larger of the item
before and after it, which neither the request nor the answer tells: ``Stored``
looks an item up where the data lives (locally the emulator, see local/devmeter.py);
without it the size of what the request writes stands in for both (see docs/cost.md).
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from . import units
from .attribution import body_owner, group_owner
from .usage import Usage

#: (table, an item or its key) -> the size of the stored item with that key (0: none), None: unknown
Stored = Callable[[str, Mapping[str, Any]], "int | None"]


def unknown_size(table: str, item: Mapping[str, Any]) -> int | None:
    """``Stored`` where the data is out of reach."""
    return None


def service_of(service: str, params: Mapping[str, Any]) -> str:
    """The billing service of a botocore service name (SQS: by the queue's type)."""
    if service == "sqs":
        return "sqs-fifo" if str(params.get("QueueUrl", "")).endswith(".fifo") else "sqs-standard"
    return {"eventbridge": "events", "api-gateway": "apigateway"}.get(service, service)


# ---------------------------------------------------------------------------- SQS

def sqs_entries(operation: str, params: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    if operation == "SendMessage":
        return [params]
    if operation == "SendMessageBatch":
        return list(params.get("Entries") or [])
    return []


def sqs_payload(operation: str, params: Mapping[str, Any], response: Mapping[str, Any] | None) -> int:
    """The payload SQS bills a request by: what it sends, or what a receive brought back."""
    if operation in ("SendMessage", "SendMessageBatch"):
        return sum(units.sqs_message_size(str(e.get("MessageBody", "")), e.get("MessageAttributes"))
                   for e in sqs_entries(operation, params))
    if operation == "ReceiveMessage" and response:
        return sum(units.sqs_message_size(str(m.get("Body", "")), m.get("MessageAttributes"))
                   for m in response.get("Messages") or [])
    return 0


def sqs_owners(operation: str, params: Mapping[str, Any]) -> tuple[str, ...]:
    """The executions whose messages a send carries (empty: not known from the request)."""
    found = []
    for entry in sqs_entries(operation, params):
        owner = group_owner(entry.get("MessageGroupId")) or body_owner(entry.get("MessageBody"))
        if owner:
            found.append(owner)
    return tuple(dict.fromkeys(found))


# ---------------------------------------------------------------------------- DynamoDB

def _consistent(params: Mapping[str, Any]) -> bool:
    return bool(params.get("ConsistentRead"))


def dynamodb_before(operation: str, params: Mapping[str, Any], stored: Stored = unknown_size) -> list[int | None]:
    """Sizes of the items a write will replace, in the order ``dynamodb_units`` walks them
    (looked up before the request, as the service does)."""
    if operation == "PutItem":
        return [stored(params["TableName"], params.get("Item") or {})]
    if operation in ("UpdateItem", "DeleteItem"):
        return [stored(params["TableName"], params.get("Key") or {})]
    if operation == "BatchWriteItem":
        out: list[int | None] = []
        for table, requests in (params.get("RequestItems") or {}).items():
            for request in requests:
                if "PutRequest" in request:
                    out.append(stored(table, request["PutRequest"].get("Item") or {}))
                else:
                    out.append(stored(table, (request.get("DeleteRequest") or {}).get("Key") or {}))
        return out
    if operation == "TransactWriteItems":
        out = []
        for item in params.get("TransactItems") or []:
            (kind, spec), = item.items()
            target = spec.get("Item") if kind == "Put" else spec.get("Key")
            out.append(stored(spec["TableName"], target or {}))
        return out
    return []


def _update_size(params: Mapping[str, Any], response: Mapping[str, Any] | None) -> int:
    """An updated item's size when it cannot be looked up: the new image if the answer
    has it, else the key plus the values the request writes."""
    attributes = (response or {}).get("Attributes")
    if attributes and params.get("ReturnValues") in ("ALL_NEW", "ALL_OLD"):
        return units.item_size(attributes)
    size = units.item_size(params.get("Key"))
    size += sum(units.value_size(v) for v in (params.get("ExpressionAttributeValues") or {}).values())
    size += sum(len(n.encode("utf-8")) for n in (params.get("ExpressionAttributeNames") or {}).values())
    return size


def _larger(*sizes: int | None) -> int:
    return max([s for s in sizes if s is not None] or [0])


def _read_size(table: str, request: Mapping[str, Any], item: Mapping[str, Any] | None, stored: Stored,
               key: Mapping[str, Any] | None = None) -> int:
    """The size a read is billed by: the whole item, even when a projection returned part of it
    (looked up by ``key``, else by the item, which a projection may have left without its key)."""
    if item and table and (request.get("ProjectionExpression") or request.get("AttributesToGet")):
        whole = stored(table, key or item)
        if whole is not None:
            return whole
    return units.item_size(item)


def dynamodb_units(operation: str, params: Mapping[str, Any], response: Mapping[str, Any] | None,
                   before: list[int | None], stored: Stored = unknown_size) -> float:
    """Capacity units of one DynamoDB request (write units for writes, read units for reads)."""
    answer = response or {}
    table = str(params.get("TableName", ""))
    if operation == "GetItem":
        return units.read_units(_read_size(table, params, answer.get("Item"), stored, params.get("Key")),
                                _consistent(params))
    if operation in ("Query", "Scan"):
        size = sum(_read_size(table, params, i, stored) for i in answer.get("Items") or [])
        return units.read_units(size, _consistent(params))
    if operation == "BatchGetItem":
        total = 0.0
        for table, request in (params.get("RequestItems") or {}).items():
            found = (answer.get("Responses") or {}).get(table) or []
            left = len(((answer.get("UnprocessedKeys") or {}).get(table) or {}).get("Keys") or [])
            missing = max(0, len(request.get("Keys") or []) - len(found) - left)
            consistent = bool(request.get("ConsistentRead"))
            total += units.items_read_units((_read_size(table, request, i, stored) for i in found), consistent)
            total += units.read_units(0, consistent) * missing  # a key that is not there still reads
        return total
    if operation == "TransactGetItems":
        return 2 * sum(units.read_units(units.item_size(r.get("Item"))) for r in answer.get("Responses") or [])
    if operation == "PutItem":
        return units.write_units(_larger(units.item_size(params.get("Item")), *before[:1]))
    if operation == "DeleteItem":
        return units.write_units(_larger(*before[:1]))
    if operation == "UpdateItem":
        after = stored(params["TableName"], params.get("Key") or {})
        return units.write_units(_larger(after if after is not None else _update_size(params, response),
                                         *before[:1]))
    if operation == "BatchWriteItem":
        total, index = 0.0, 0
        for table, requests in (params.get("RequestItems") or {}).items():
            left = list(((answer.get("UnprocessedItems") or {}).get(table)) or [])  # not done, not billed
            for request in requests:
                old = before[index] if index < len(before) else None
                index += 1
                if request in left:
                    left.remove(request)
                    continue
                new = units.item_size((request.get("PutRequest") or {}).get("Item"))
                total += units.write_units(_larger(new, old))
        return total
    if operation == "TransactWriteItems":
        total = 0.0
        for index, item in enumerate(params.get("TransactItems") or []):
            (kind, spec), = item.items()
            old = before[index] if index < len(before) else None
            if kind == "Put":
                new: int | None = units.item_size(spec.get("Item"))
            elif kind == "Update":
                new = stored(spec["TableName"], spec.get("Key") or {})
                if new is None:
                    new = _update_size(spec, None)
            else:  # Delete, ConditionCheck: the item as it is
                new = None
            total += 2 * units.write_units(_larger(new, old))
        return total
    return 0.0  # DescribeTable and the like: not billed


# ---------------------------------------------------------------------------- any service

def usage_of(service: str, operation: str, params: Mapping[str, Any], response: Mapping[str, Any] | None, *,
             attempts: int = 1, wire_bytes: int = 0, before: list[int | None] | None = None,
             stored: Stored = unknown_size) -> Usage:
    """The usage of one request that botocore made ``attempts`` times (each attempt is billed)."""
    billing = service_of(service, params)
    if billing == "dynamodb":
        per = dynamodb_units(operation, params, response, before or [], stored)
    elif billing in ("sqs-fifo", "sqs-standard"):
        per = units.sqs_requests(sqs_payload(operation, params, response))
    elif billing == "events" and operation == "PutEvents":
        per = sum(units.sqs_requests(units.event_entry_size(e)) for e in params.get("Entries") or [])
    else:
        per = 0.0
    return Usage.of(billing, operation, requests=attempts, units=per * attempts, bytes=wire_bytes * attempts)


def owners_of(service: str, operation: str, params: Mapping[str, Any]) -> tuple[str, ...]:
    """Executions a request names itself (SQS sends); empty: whoever the code works for."""
    return sqs_owners(operation, params) if service == "sqs" else ()

