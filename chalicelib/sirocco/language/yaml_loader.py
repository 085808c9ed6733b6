"""YAML text to plain Python values that remember their lines.

PyYAML's safe constructors forget where a value came from and silently keep
the last of two equal keys, so we compose the node graph (libyaml, fast) and
build the values ourselves: mappings become ``YMap`` (a dict that knows the
line of each key), sequences ``YList`` (a list that knows the line of each
item). Only the YAML core schema is accepted: no custom tags, no aliases (a
document is data, not a graph; aliases are also the billion-laughs vector).
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Any, Iterator

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .errors import Errors, SpecError, ValidationFailed, Where

MAX_DEPTH = 200

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"

_Fast = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _AtSignLoader(yaml.SafeLoader):
    """Pure-Python loader that lets a plain scalar start with '@', as Mistral's loader does.

    YAML reserves '@', so libyaml refuses ``to: @team``; Mistral accepts it and
    users rely on it. Used only when the fast loader stumbles on an '@'.
    """

    def check_plain(self) -> bool:
        return self.peek() == "@" or super().check_plain()


_scalars = yaml.constructor.SafeConstructor()


class YMap(dict):
    """A mapping from the document; ``line`` of the mapping, ``key_lines[key]`` of each key."""

    __slots__ = ("line", "key_lines")


class YList(list):
    """A sequence from the document; ``line`` of the sequence, ``item_lines[i]`` of each item."""

    __slots__ = ("line", "item_lines")


def line_of(container: Any, key: Any, default: int | None = None) -> int | None:
    """Line of a key of a YMap or an index of a YList (the container's own line as fallback)."""
    if isinstance(container, YMap):
        return container.key_lines.get(key, container.line)
    if isinstance(container, YList):
        try:
            return container.item_lines[key]
        except (IndexError, TypeError):
            return container.line
    return default


@contextmanager
def no_gc() -> Iterator[None]:
    """Building a large object graph triggers many useless GC passes; pause the collector."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load(text: Any, errors: Errors, where: Where = Where()) -> Any:
    """Parse one YAML document. Fatal syntax errors raise ``ValidationFailed`` at once;
    recoverable problems (duplicate keys, unsupported tags, aliases) go to ``errors``."""
    if isinstance(text, (bytes, bytearray)):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationFailed([SpecError("the document is not UTF-8 text")]) from None
    if not isinstance(text, str):
        raise ValidationFailed([SpecError("the document must be YAML text")])
    with no_gc():
        node = _compose(text)
        if node is None:
            return None
        builder = _Builder(errors, where)
        return builder.build(node, 0, node.start_mark.line + 1)


def _compose(text: str) -> Any:
    try:
        return yaml.compose(text, Loader=_Fast)
    except yaml.YAMLError as exc:
        if _stumbled_on_at_sign(text, exc):
            try:
                return yaml.compose(text, Loader=_AtSignLoader)
            except yaml.YAMLError as retry_exc:
                exc = retry_exc
            except RecursionError:
                raise ValidationFailed([SpecError("invalid YAML: nested too deeply")]) from None
        raise ValidationFailed([_yaml_error(exc)]) from None
    except RecursionError:
        raise ValidationFailed([SpecError("invalid YAML: nested too deeply")]) from None


def _stumbled_on_at_sign(text: str, exc: yaml.YAMLError) -> bool:
    mark = getattr(exc, "problem_mark", None)
    if mark is None or "@" not in text:
        return False
    lines = text.splitlines()
    if mark.line >= len(lines):
        return False
    line = lines[mark.line]
    return mark.column < len(line) and line[mark.column] == "@"


def _yaml_error(exc: yaml.YAMLError) -> SpecError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    if problem:
        text = f"{context}, {problem}" if context else problem
    else:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    line = mark.line + 1 if mark is not None else None
    return SpecError(f"invalid YAML: {text}", line=line)


class _Builder:
    __slots__ = ("errors", "where", "seen")

    def __init__(self, errors: Errors, where: Where):
        self.errors = errors
        self.where = where
        self.seen: set[int] = set()

    def _error(self, message: str, line: int | None) -> None:
        self.errors.add(self.where, message, line)

    def build(self, node: Any, depth: int, line: int) -> Any:
        ident = id(node)
        if ident in self.seen:
            self._error("YAML aliases (*name) are not supported; repeat the value instead", line)
            return None
        self.seen.add(ident)
        if depth > MAX_DEPTH:
            self._error(f"values are nested more than {MAX_DEPTH} levels deep", line)
            return None
        cls = node.__class__
        if cls is ScalarNode:
            return self.scalar(node, line)
        if cls is MappingNode:
            return self.mapping(node, depth)
        if cls is SequenceNode:
            return self.sequence(node, depth)
        self._error("unsupported YAML node", line)  # pragma: no cover - compose yields only these
        return None

    def scalar(self, node: ScalarNode, line: int) -> Any:
        tag = node.tag
        if tag == _STR:
            return node.value
        try:
            if tag == _INT:
                return _scalars.construct_yaml_int(node)
            if tag == _NULL:
                return None
            if tag == _BOOL:
                return _scalars.construct_yaml_bool(node)
            if tag == _FLOAT:
                return _scalars.construct_yaml_float(node)
        except (ValueError, KeyError, TypeError, IndexError):
            self._error(f"{node.value!r} is not a valid {tag.rsplit(':', 1)[-1]}", line)
            return None
        if tag == _TIMESTAMP:
            # Kept as written: a date object would not survive JSON storage.
            return node.value
        if tag == _MERGE:
            self._error("YAML merge keys (<<) are not supported", line)
            return None
        self._error(f"unsupported YAML tag {tag!r}", line)
        return None

    def mapping(self, node: MappingNode, depth: int) -> YMap:
        result = YMap()
        result.line = node.start_mark.line + 1
        key_lines: dict[Any, int] = {}
        result.key_lines = key_lines
        if node.tag != _MAP:
            self._error(f"unsupported YAML tag {node.tag!r}", result.line)
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.__class__ is not ScalarNode:
                self._error("a mapping key must be a plain value, not a list or mapping", line)
                continue
            if key_node.tag == _MERGE:
                self._error("YAML merge keys (<<) are not supported", line)
                continue
            key = self.build(key_node, depth + 1, line)
            if key in key_lines:
                self._error(
                    f"duplicate key {key!r} (first at line {key_lines[key]}); "
                    "YAML would silently keep only the last one",
                    line,
                )
            key_lines[key] = line
            result[key] = self.build(value_node, depth + 1, line)
        return result

    def sequence(self, node: SequenceNode, depth: int) -> YList:
        result = YList()
        result.line = node.start_mark.line + 1
        if node.tag != _SEQ:
            self._error(f"unsupported YAML tag {node.tag!r}", result.line)
        lines = []
        for item in node.value:
            line = item.start_mark.line + 1
            lines.append(line)
            result.append(self.build(item, depth + 1, line))
        result.item_lines = lines
        return result
