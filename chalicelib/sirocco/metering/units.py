"""Billable units as AWS counts them, from the requests' own contents (pure).

DynamoDB (on-demand): an item's size is the sum of its attribute names' and
values' sizes; a write costs one write unit per started 1 KB of the item (the
larger of the item before and after it), a strongly consistent read one read unit
per started 4 KB (an eventually consistent read half that), a Query or Scan sums
the sizes of the items it read and rounds once, transactions cost twice.
SQS bills one request per started 64 KB of a request's payload (a batch's bodies
and attributes together). These are the documented rules; the sizes here are the
ones the service would compute from the same attribute values.
"""

from __future__ import annotations

import base64
import math
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Mapping

WRITE_UNIT = 1024
READ_UNIT = 4096
SQS_CHUNK = 64 * 1024
#: a map or list costs this much besides its elements
CONTAINER_OVERHEAD = 3


def number_size(text: str) -> int:
    """A number: one byte per two significant digits, plus one."""
    try:
        digits = Decimal(text.strip()).as_tuple().digits
    except InvalidOperation:
        digits = tuple(c for c in text if c.isdigit())
    significant = "".join(map(str, digits)).strip("0") or "0"
    return math.ceil(len(significant) / 2) + 1


def _binary_size(value: Any) -> int:
    if isinstance(value, (bytes, bytearray)):
        return len(value)
    try:  # the wire form: base64 text
        return len(base64.b64decode(value))
    except (ValueError, TypeError):
        return len(str(value).encode("utf-8"))


def value_size(value: Mapping[str, Any]) -> int:
    """The size of one typed attribute value (``{"S": "..."}``, ``{"M": {...}}``...)."""
    (kind, inner), = value.items()
    if kind == "S":
        return len(inner.encode("utf-8"))
    if kind == "N":
        return number_size(inner)
    if kind == "B":
        return _binary_size(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode("utf-8")) for s in inner)
    if kind == "NS":
        return sum(number_size(n) for n in inner)
    if kind == "BS":
        return sum(_binary_size(b) for b in inner)
    if kind == "M":
        return CONTAINER_OVERHEAD + sum(len(k.encode("utf-8")) + value_size(v) + 1 for k, v in inner.items())
    if kind == "L":
        return CONTAINER_OVERHEAD + sum(value_size(v) + 1 for v in inner)
    raise ValueError(f"unknown DynamoDB type {kind!r}")


def item_size(item: Mapping[str, Mapping[str, Any]] | None) -> int:
    """An item's size: attribute names plus values."""
    return sum(len(name.encode("utf-8")) + value_size(v) for name, v in (item or {}).items())


def write_units(size: int) -> int:
    """Write units of writing (or deleting) one item of ``size`` bytes; at least one."""
    return max(1, math.ceil(size / WRITE_UNIT))


def read_units(size: int, consistent: bool = True) -> float:
    """Read units of reading ``size`` bytes at once (one item, or a Query's items
    together); at least one unit, half for an eventually consistent read."""
    units = max(1, math.ceil(size / READ_UNIT))
    return units if consistent else units / 2


def items_read_units(sizes: Iterable[int], consistent: bool = True) -> float:
    """Read units of GetItem-like reads of several items (BatchGetItem): each rounded up."""
    return sum(read_units(size, consistent) for size in sizes)


def sqs_message_size(body: str, attributes: Mapping[str, Mapping[str, Any]] | None = None) -> int:
    """Payload bytes of one SQS message: its body and its attributes (names, types, values)."""
    size = len(body.encode("utf-8"))
    for name, attr in (attributes or {}).items():
        size += len(name.encode("utf-8")) + len(str(attr.get("DataType", "")).encode("utf-8"))
        if attr.get("StringValue") is not None:
            size += len(str(attr["StringValue"]).encode("utf-8"))
        if attr.get("BinaryValue") is not None:
            size += _binary_size(attr["BinaryValue"])
    return size


def sqs_requests(payload: int) -> int:
    """Billed SQS requests of one API request carrying ``payload`` bytes: per started 64 KB."""
    return max(1, math.ceil(payload / SQS_CHUNK))


def event_entry_size(entry: Mapping[str, Any]) -> int:
    """Bytes of one PutEvents entry as EventBridge sizes it: its Source, DetailType, Detail
    and Resources in UTF-8, and 14 for a Time."""
    texts = [entry.get("Source"), entry.get("DetailType"), entry.get("Detail"), *(entry.get("Resources") or [])]
    return (14 if entry.get("Time") is not None else 0) + sum(len(str(t).encode("utf-8")) for t in texts if t)


def gb_seconds(milliseconds: float, memory_mb: int) -> float:
    """Lambda's GB-seconds of one invocation: the duration rounded up to the millisecond."""
    return math.ceil(milliseconds) / 1000.0 * memory_mb / 1024.0
