"""Whose work the code is doing: the executions a request is charged to.

A context variable, so that it follows the code into the threads that copy the
context (the executor's action runs) and never leaks between the concurrent
invocations of the local runtime. Handlers set it per execution around the work
they do for it; a Lambda invocation sets it to the executions of its batch.
"""

from __future__ import annotations

import contextvars
import json
from contextlib import contextmanager
from typing import Any, Iterable, Iterator, Mapping

from .usage import Usage

_owners: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("sirocco_meter_owners", default=())
_held: contextvars.ContextVar["Held | None"] = contextvars.ContextVar("sirocco_meter_held", default=None)


class Held:
    """Usage kept aside until its owner is known (an API request creating an execution)."""

    def __init__(self) -> None:
        self.usage = Usage()
        #: executions that requests made meanwhile named (an SQS send to their message group)
        self.named: list[str] = []

    def add(self, usage: Usage) -> None:
        self.usage = self.usage + usage

    def saw(self, owners: Iterable[str]) -> None:
        self.named.extend(o for o in owners if o not in self.named)


def owners() -> tuple[str, ...]:
    return _owners.get()


def held() -> Held | None:
    return _held.get()


@contextmanager
def working_for(*execution_ids: str) -> Iterator[None]:
    """Charge what is done inside to these executions."""
    token = _owners.set(tuple(e for e in execution_ids if e))
    try:
        yield
    finally:
        _owners.reset(token)


def now_working_for(execution_id: str) -> None:
    """Charge the rest of this context to ``execution_id`` (a thread's copied context)."""
    _owners.set((execution_id,) if execution_id else ())


@contextmanager
def holding() -> Iterator[Held]:
    """Keep what is done inside aside (``Held``), for the caller to charge once it knows to whom."""
    held = Held()
    token = _held.set(held)
    try:
        yield held
    finally:
        _held.reset(token)


def group_owner(group_id: str | None) -> str | None:
    """The execution of a FIFO message group: ``<execution id>`` or ``<execution id>:<publisher>``."""
    return group_id.split(":", 1)[0] if group_id else None


def body_owner(body: Any) -> str | None:
    """The execution an envelope is about (an engine event's ``to``, a command's ``execution_id``)."""
    try:
        data = json.loads(body) if isinstance(body, (str, bytes)) else body
    except ValueError:
        return None
    if not isinstance(data, Mapping):
        return None
    if isinstance(data.get("to"), str):
        return data["to"]
    fields = data.get("fields")
    if isinstance(fields, Mapping) and isinstance(fields.get("execution_id"), str):
        return fields["execution_id"]
    return None


def record_owner(record: Mapping[str, Any]) -> str | None:
    """The execution of one Lambda SQS record."""
    group = (record.get("attributes") or {}).get("MessageGroupId")
    return group_owner(group) or body_owner(record.get("body"))


def batch_owners(records: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    """The executions of a batch's records, each once, in order."""
    return tuple(dict.fromkeys(o for o in map(record_owner, records) if o))
