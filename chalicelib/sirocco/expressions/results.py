"""Turn what an engine returned into plain data, and into text.

Engines hand back yaql's frozen dicts and tuples, lazy iterators, Jinja's Markup and
Undefined. A result must be plain, fresh data that the engine can store as JSON
(what Mistral's API shows): dicts, lists, str, int, float, bool, None. Walking the
result also materialises lazy iterators, so each node is charged to the budget.

Text rendering of a value inside a string follows Mistral: Python's ``str()``
(``None``, ``True``, ``{'k': 'v'}``), with sets and datetimes kept for ``str()``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Set
from typing import Any

import jinja2

from . import limits
from .errors import LimitExceeded
from .serialization import DATETIME_FORMAT

_SCALARS = (int, float, bool, type(None))


def to_plain(value: Any, *, for_text: bool = False) -> Any:
    """A fresh plain copy of ``value``; ``for_text`` keeps sets/datetimes for ``str()``."""
    limits.charge(limits.ITEM_UNITS)
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, str):
        return value if type(value) is str else str.__str__(value)  # Markup -> str
    if isinstance(value, jinja2.Undefined):
        return to_plain(str(value))  # StrictUndefined raises here, naming what is missing
    if isinstance(value, Mapping):
        return {_plain_key(k): to_plain(v, for_text=for_text) for k, v in value.items()}
    if isinstance(value, datetime.datetime):
        return value if for_text else value.strftime(DATETIME_FORMAT)
    if isinstance(value, Set):
        if for_text:
            return {_plain_key(v) for v in value}
        return [to_plain(v) for v in _ordered(value)]
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, Iterable):
        return [to_plain(v, for_text=for_text) for v in _limited(value)]
    if isinstance(value, (datetime.date, datetime.time, datetime.timedelta)):
        return str(value)
    raise TypeError(f"the result is a {type(value).__name__}, which is not data")


def _plain_key(key: Any) -> Any:
    if isinstance(key, (str, int, float, bool, type(None), tuple)):
        return to_plain(key) if isinstance(key, str) else key
    plain = to_plain(key)
    return tuple(plain) if isinstance(plain, list) else plain


def _ordered(items: Set) -> list[Any]:
    """A set's items in a stable order (sorted when they compare), so that results do
    not depend on the process's string hash seed."""
    listed = list(_limited(items))
    try:
        return sorted(listed)
    except TypeError:
        return listed


def _limited(items: Iterable[Any]) -> Iterable[Any]:
    most = limits.current_limits().max_iterations
    for count, item in enumerate(items):
        if count >= most:
            raise LimitExceeded(f"the result has more than {most} items in one collection")
        yield item


def to_text(value: Any) -> str:
    """How a value reads inside a larger string (Mistral: Python's ``str()``)."""
    if isinstance(value, str):
        return to_plain(value)
    return str(to_plain(value, for_text=True))
