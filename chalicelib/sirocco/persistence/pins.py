"""The workflow definition an execution started with, kept in its partition.

Mistral stores a workflow execution's spec with the execution, so updating a
workflow never changes executions already running. Here the definition text is
one ``SPEC`` item of the execution's partition, written once when the engine
applies the start (put-if-absent: a redelivered start, or a crash and a retry,
keeps the first text) and removed with the partition. A warm Lambda reads it
once per execution (an in-process cache of texts, which never change).
Texts too large for an item go to the payload bucket, as record fields do.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from pynamodb.exceptions import PutError

from .executions import ExecutionStore

SPEC = "SPEC"
CACHE_SIZE = 2048

_cache: OrderedDict[str, str] = OrderedDict()
_lock = threading.Lock()


def _remember(execution_id: str, text: str) -> str:
    with _lock:
        _cache[execution_id] = text
        _cache.move_to_end(execution_id)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return text


def _cached(execution_id: str) -> str | None:
    with _lock:
        return _cache.get(execution_id)


def pin(store: ExecutionStore, execution_id: str, text: str) -> str:
    """Keep ``text`` as the execution's definition unless one is kept already;
    returns the kept one."""
    found = _cached(execution_id)
    if found is not None:
        return found
    I = store.Item
    if len(text.encode("utf-8")) > store.settings.item_budget:
        item = I(execution_id, SPEC, s3=store.payloads.put(f"executions/{execution_id}/spec", text.encode("utf-8")))
    else:
        item = I(execution_id, SPEC, body=text)
    try:
        item.save(condition=I.pk.does_not_exist())
        store.stats.count("PutItem", written=1)
    except PutError as exc:
        store.stats.count("PutItem")
        if getattr(exc, "cause_response_code", None) != "ConditionalCheckFailedException":
            raise
        kept = pinned(store, execution_id)
        if kept is not None:
            return kept
    return _remember(execution_id, text)


def pinned(store: ExecutionStore, execution_id: str) -> str | None:
    """The execution's definition text; None for executions started before pinning existed."""
    found = _cached(execution_id)
    if found is not None:
        return found
    I = store.Item
    try:
        item = I.get(execution_id, SPEC, consistent_read=True)
    except I.DoesNotExist:
        store.stats.count("GetItem")
        return None
    store.stats.count("GetItem", read=1)
    text = item.body if item.body is not None else store.payloads.get(item.s3).decode("utf-8")
    return _remember(execution_id, text)
