"""Decoded with-items values, kept between batches by the store that read them.

A with-items task's item values (``ITEMS#<task id>``) are the largest record an
execution has (100,000 items: about a megabyte of JSON) and every batch that
launches items reads them. Their values live in S3 under content-addressed,
immutable keys (payloads.py), so a value decoded once stays right for that key:
keeping it makes a batch's cost independent of the number of items. The engine
never mutates stored values (records.py), so handing out the same list is safe.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

#: item values kept at most, over all cached lists (a bound on the container's memory)
MAX_ITEMS = 400_000


class ItemsCache:
    """S3 key -> decoded item values, least recently used dropped first."""

    def __init__(self, max_items: int = MAX_ITEMS) -> None:
        self._values: OrderedDict[str, Any] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()  # the handlers' threads share one store
        self.max_items = max_items

    @staticmethod
    def _size(value: Any) -> int:
        return len(value) if isinstance(value, list) else 1

    def get(self, key: str) -> Any:
        """The decoded value, or None."""
        with self._lock:
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
            return value

    def put(self, key: str, value: Any) -> None:
        size = self._size(value)
        with self._lock:
            if size > self.max_items or key in self._values:
                return
            self._values[key] = value
            self._held += size
            while self._held > self.max_items:
                _, dropped = self._values.popitem(last=False)
                self._held -= self._size(dropped)
