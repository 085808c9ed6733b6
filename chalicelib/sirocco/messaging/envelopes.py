"""Engine events and commands <-> message bodies (JSON), generically.

A body is one JSON object::

    {"v": 1, "type": "ActionCompleted", "fields": {...}, "to": "<execution id>", "meta": {...}}

``type`` names a dataclass of ``sirocco.engine.events`` (an ``Event``) or of
``sirocco.engine.commands`` (a ``Command``); ``fields`` are its fields, walked
with ``dataclasses.fields``, so a field the engine adds later travels with no
change here (an unknown field is dropped on decode, a missing one takes its
default). ``to`` (engine events) names the execution the event is for, as
the message group id does. Values are JSON, tagged only where JSON would lose something (tuples,
non-string keys), with the same tags as the record codec. ``meta`` is optional
facts for the receiver that are not part of the event (project, namespace,
workflow id of a new execution; workflow id and project of a notification).

A body too large for SQS is put in S3 and the message carries a pointer
``{"v": 1, "s3": "messages/<sha256>"}`` (see ``queues.Queues``).

``v`` is the envelope version: a receiver refuses a version it does not know
(the message fails and ends in the dead-letter queue instead of being misread).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sirocco.engine import commands as engine_commands
from sirocco.engine import events as engine_events
from sirocco.persistence import records_codec as codec

ENVELOPE_VERSION = 1


class EnvelopeError(ValueError):
    """A body that is not an envelope this code can read (a poison message)."""


@dataclass(slots=True)
class Envelope:
    """A decoded message: the event or command, its ``meta``, and, for a type
    this code does not know, ``type`` and the raw ``fields`` (``obj`` None)."""

    obj: Any
    meta: dict[str, Any] = field(default_factory=dict)
    type: str = ""
    fields: dict[str, Any] | None = None
    to: str | None = None  # the execution an engine event is for


def _dataclasses_of(module: Any, base: type) -> dict[str, type]:
    return {name: obj for name, obj in vars(module).items()
            if isinstance(obj, type) and dataclasses.is_dataclass(obj) and issubclass(obj, base)
            and obj is not base}


@lru_cache(maxsize=1)
def message_types() -> dict[str, type]:
    """Type name -> dataclass, for every engine event and command."""
    events = _dataclasses_of(engine_events, engine_events.Event)
    commands = _dataclasses_of(engine_commands, engine_commands.Command)
    clash = events.keys() & commands.keys()
    if clash:  # pragma: no cover - a naming mistake in the engine
        raise RuntimeError(f"event and command types share names: {sorted(clash)}")
    return {**events, **commands}


def fields_of(obj: Any) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}


def encode(obj: Any, meta: dict[str, Any] | None = None, to: str | None = None) -> str:
    """The body of a message carrying event or command ``obj``; ``to`` is the
    execution an engine event is for (also the message group id)."""
    if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
        raise TypeError(f"not an engine event or command: {obj!r}")
    data: dict[str, Any] = {"v": ENVELOPE_VERSION, "type": type(obj).__name__, "fields": fields_of(obj)}
    if to:
        data["to"] = to
    if meta:
        data["meta"] = meta
    return codec.dumps(data)


def encode_raw(type_name: str, fields: dict[str, Any], meta: dict[str, Any] | None = None) -> str:
    """The body of a message for a command already in its tagged JSON form
    (``records_codec.encode_command``), e.g. a type this code does not know."""
    data: dict[str, Any] = {"v": ENVELOPE_VERSION, "type": type_name, "fields": fields}
    if meta:
        data["meta"] = meta
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def parse(body: str) -> dict[str, Any]:
    """The envelope object of a body (untagged), checked for its version."""
    try:
        data = codec.loads(body)
    except (TypeError, ValueError) as exc:
        raise EnvelopeError(f"message body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise EnvelopeError("message body is not a JSON object")
    version = data.get("v")
    if version != ENVELOPE_VERSION:
        raise EnvelopeError(f"unknown envelope version {version!r} (this code reads {ENVELOPE_VERSION})")
    return data


def pointer(data: dict[str, Any]) -> str | None:
    """The S3 key of an offloaded body, if ``data`` is a pointer."""
    key = data.get("s3")
    return key if isinstance(key, str) and "type" not in data else None


def from_data(data: dict[str, Any], *, strict: bool = True) -> Envelope:
    """An ``Envelope`` from a parsed (not pointer) envelope object. An unknown
    type raises ``EnvelopeError`` when ``strict``, else comes back with ``obj`` None."""
    type_name = data.get("type")
    fields = data.get("fields")
    meta = data.get("meta") or {}
    to = data.get("to")
    if not isinstance(type_name, str) or not isinstance(fields, dict) or not isinstance(meta, dict) \
            or not (to is None or isinstance(to, str)):
        raise EnvelopeError("envelope lacks a type name or its fields")
    cls = message_types().get(type_name)
    if cls is None:
        if strict:
            raise EnvelopeError(f"unknown message type {type_name!r}")
        return Envelope(None, meta, type_name, fields, to)
    try:
        return Envelope(codec.build(cls, fields), meta, type_name, None, to)
    except TypeError as exc:
        raise EnvelopeError(f"bad fields for {type_name}: {exc}") from None


def decode(body: str, *, strict: bool = True) -> Envelope:
    """An inline body's envelope (pointers are resolved by ``Queues.read``)."""
    data = parse(body)
    if pointer(data) is not None:
        raise EnvelopeError("an S3 pointer: read it with Queues.read")
    return from_data(data, strict=strict)
