"""JSON and YAML text <-> data, as Mistral's json_*/yaml_* functions produce and read it.

Facts matched (Mistral 23.0.0): ``json_dump`` indents by 4 and escapes non-ASCII;
``yaml_dump`` is block style, sorted keys, never emits anchors; ``yaml_parse`` reads
``&`` and ``*`` as plain text (no anchors/aliases, so no "billion laughs") and lets a
plain scalar start with ``@``.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping, Set
from typing import Any

import yaml

# Mistral renders datetimes in JSON like oslo's to_primitive: no timezone, microseconds.
DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"


def plain_json_default(value: Any) -> Any:
    """``json.dumps`` fallback for the non-JSON types expressions can produce."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, datetime.datetime):
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, (Set, Iterable)) and not isinstance(value, (str, bytes)):
        return list(value)
    return str(value)


def json_dump(data: Any) -> str:
    return json.dumps(data, indent=4, default=plain_json_default)


def json_parse(text: Any) -> Any:
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    return json.loads(text)


class _NoAliasDumper(yaml.SafeDumper):
    """Writes shared objects out in full instead of as ``&id001`` / ``*id001``."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_mapping(dumper: yaml.SafeDumper, data: Mapping) -> yaml.Node:
    return dumper.represent_dict(dict(data))


def _represent_sequence(dumper: yaml.SafeDumper, data: Any) -> yaml.Node:
    return dumper.represent_list(list(data))


_NoAliasDumper.add_multi_representer(Mapping, _represent_mapping)
_NoAliasDumper.add_representer(tuple, _represent_sequence)
_NoAliasDumper.add_representer(frozenset, _represent_sequence)
_NoAliasDumper.add_representer(set, _represent_sequence)


def yaml_dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_NoAliasDumper, default_flow_style=False)


class _PlainAnchorLoader(yaml.SafeLoader):
    """Safe loader where ``&name``, ``*name`` and a leading ``@`` are ordinary text."""

    def fetch_anchor(self) -> None:
        self.fetch_plain()

    def fetch_alias(self) -> None:
        self.fetch_plain()

    def check_plain(self) -> bool:
        return self.peek() == "@" or super().check_plain()


def yaml_parse(text: Any) -> Any:
    return yaml.load(text, Loader=_PlainAnchorLoader)  # noqa: S506 - a SafeLoader subclass
