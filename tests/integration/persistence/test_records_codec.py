"""The generic codec: every record type and command, tuples and non-string keys
kept, fields added later carried through. Pure: no AWS."""

from __future__ import annotations

import dataclasses

import pytest

from sirocco.engine import commands as engine_commands
from sirocco.persistence import records_codec as codec

from .records import every_record


@pytest.mark.parametrize("record", every_record("ex-1"), ids=lambda r: r.key.split("#")[0])
def test_every_record_type_round_trips(record):
    fields = codec.record_fields(record)
    assert set(fields) == {f.name for f in dataclasses.fields(record)}
    back = codec.decode_record(record.key, codec.loads(codec.join_fields(fields)))
    assert back == record
    assert type(back) is type(record)


@pytest.mark.parametrize("value", [
    (1, "a", (2, 3)),
    {1: 2, 3: (4,)},
    {(1, 2): "tuple key"},
    {"__tuple__": [1, 2]},  # user data shaped like a tag stays a dict
    {"__map__": "x"},
    [("routes", "t1", [("task", "b", None)])],
    {"nested": [{"a": (1,)}], "unicode": "héllo ☃", "float": 0.1, "none": None, "big": 2 ** 60},
])
def test_values_keep_their_types(value):
    assert codec.loads(codec.dumps(value)) == value
    assert repr(codec.loads(codec.dumps(value))) == repr(value)


def test_plain_json_stays_plain():
    assert codec.dumps({"a": [1, "b", None]}) == '{"a":[1,"b",null]}'


def test_a_field_added_later_flows_through_and_missing_ones_take_defaults():
    @dataclasses.dataclass
    class V1:
        id: str
        n: int = 0

    @dataclasses.dataclass
    class V2:
        id: str
        n: int = 0
        added: tuple[str, ...] = ()

    new = V2("x", 3, ("p",))
    assert codec.build(V2, codec.loads(codec.join_fields(codec.record_fields(new)))) == new
    assert codec.build(V1, codec.loads(codec.join_fields(codec.record_fields(new)))) == V1("x", 3)
    assert codec.build(V2, codec.loads(codec.join_fields(codec.record_fields(V1("y", 1))))) == V2("y", 1)


def test_every_command_round_trips():
    kinds = [c for c in vars(engine_commands).values()
             if isinstance(c, type) and dataclasses.is_dataclass(c) and issubclass(c, engine_commands.Command)
             and c is not engine_commands.Command]
    assert len(kinds) >= 6
    for kind in kinds:
        values = {f.name: f"v-{f.name}" if f.type in ("str", "str | None") else None for f in dataclasses.fields(kind)}
        command = kind(**{k: v for k, v in values.items() if v is not None})
        import json

        assert codec.decode_command(json.loads(json.dumps(codec.encode_command(command)))) == command
    run = engine_commands.RunAction("ex", action_id="a", input={"k": (1, 2)}, timeout=3.5, safe_rerun=True)
    assert codec.decode_command(codec.encode_command(run)) == run
