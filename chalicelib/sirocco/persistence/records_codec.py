"""Engine records and commands <-> JSON text, generically.

A record is written as one JSON text per dataclass field, so a field the engine
adds later is stored and read back with no change here (a field the stored item
lacks takes its default; a stored field the class no longer has is dropped).

JSON has no tuples and only string keys, while records hold both (``parents``,
``backlog`` entries, ``item_runs: dict[int, int]``). Values are therefore tagged
where JSON would lose something, and only there:

- a tuple becomes ``{"__tuple__": [...]}``;
- a dict with a non-string key, or whose only key is one of the two tags (so
  user data can never be mistaken for a tag), becomes ``{"__map__": [[k, v], ...]}``.

Everything else is plain JSON, so the items stay readable in the AWS console.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Iterable

from sirocco.engine import commands as engine_commands
from sirocco.engine.records import ActionRecord, CallRecord, ExecutionRecord, ItemsRecord, Record, TaskRecord

_TUPLE = "__tuple__"
_MAP = "__map__"
_TAGS = (_TUPLE, _MAP)

#: record key prefix (the part before ``#``) -> record class
RECORD_TYPES: dict[str, type] = {
    "EXEC": ExecutionRecord,
    "TASK": TaskRecord,
    "ACTION": ActionRecord,
    "CALL": CallRecord,
    "ITEMS": ItemsRecord,
}


def _tag(value: Any) -> Any:
    """``value`` with tuples and non-JSON dicts replaced by their tagged form."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        if all(type(k) is str for k in value) and not (len(value) == 1 and next(iter(value)) in _TAGS):
            return {k: _tag(v) for k, v in value.items()}
        return {_MAP: [[_tag(k), _tag(v)] for k, v in value.items()]}
    if isinstance(value, tuple):
        return {_TUPLE: [_tag(v) for v in value]}
    if isinstance(value, list):
        return [_tag(v) for v in value]
    raise TypeError(f"cannot store a {type(value).__name__} in a record")


def _untag(obj: dict[str, Any]) -> Any:
    if len(obj) == 1:
        if _TUPLE in obj:
            return tuple(obj[_TUPLE])
        if _MAP in obj:
            return {_hashable(k): v for k, v in obj[_MAP]}
    return obj


def _hashable(key: Any) -> Any:
    return tuple(_hashable(k) for k in key) if isinstance(key, list) else key


def dumps(value: Any) -> str:
    """Compact JSON text of ``value`` (tuples and non-string keys kept)."""
    return json.dumps(_tag(value), separators=(",", ":"), ensure_ascii=False)


def loads(text: str) -> Any:
    return json.loads(text, object_hook=_untag)


def record_fields(record: Any) -> dict[str, str]:
    """Field name -> JSON text of its value, for every dataclass field."""
    return {f.name: dumps(getattr(record, f.name)) for f in dataclasses.fields(record)}


def join_fields(fields: dict[str, str]) -> str:
    """One JSON object text from per-field JSON texts (no re-encoding)."""
    return "{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in fields.items()) + "}"


def build(cls: type, values: dict[str, Any]) -> Any:
    """An instance of dataclass ``cls`` from decoded field values; unknown
    fields are ignored, missing ones take their defaults."""
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in values.items() if k in names})


def record_type(key: str) -> type:
    """The record class for a record key such as ``TASK#<id>``."""
    return RECORD_TYPES[key.split("#", 1)[0]]


def decode_record(key: str, values: dict[str, Any]) -> Record:
    return build(record_type(key), values)


# ---- commands: the handler serialises what it sends; this is one way to do it


def _command_types() -> dict[str, type]:
    return {name: obj for name, obj in vars(engine_commands).items()
            if isinstance(obj, type) and dataclasses.is_dataclass(obj) and issubclass(obj, engine_commands.Command)}


def encode_command(command: engine_commands.Command) -> dict[str, Any]:
    """``{"type": "RunAction", "fields": {...}}`` with the fields' tagged values."""
    return {"type": type(command).__name__,
            "fields": {f.name: _tag(getattr(command, f.name)) for f in dataclasses.fields(command)}}


def decode_command(data: dict[str, Any]) -> engine_commands.Command:
    fields = json.loads(json.dumps(data["fields"]), object_hook=_untag)
    return build(_command_types()[data["type"]], fields)


def encode_commands(commands: Iterable[engine_commands.Command]) -> list[dict[str, Any]]:
    return [encode_command(c) for c in commands]
