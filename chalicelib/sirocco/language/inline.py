"""Inline parameters: ``std.http url=<% $.u %> method="GET" retries=3``.

Mistral reads these with one regular expression and silently drops what it
cannot read (a bare word such as ``output=hello``, a dict, a negative number,
everything after the first ``]`` of a list...), so the task fails later, at
run time. Here the text is tokenised left to right and every part that is not
understood becomes a problem the user sees at upload.

Values: "double" or 'single' quoted text (kept as is, no escapes, as in
Mistral), a YAQL ``<% %>`` or Jinja2 ``{{ }}`` expression (kept as text for
the engine), a JSON list or object, true/false/null, or a JSON number.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

_KEY = re.compile(r"([-\w]+)=")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?\Z")
_COMMAND = re.compile(r"[\w.][^=(\s\"]*\Z")
_LITERALS = {"true": True, "false": False, "null": None}


@dataclass(frozen=True, slots=True)
class Inline:
    """A command (action, workflow or engine command name) with its parameters."""

    command: str
    params: dict[str, Any]
    problems: tuple[str, ...]


def parse_inline(text: str, *, with_command: bool = True) -> Inline:
    """Split ``name k=v ...`` (or only ``k=v ...`` when ``with_command`` is false)."""
    s = text.strip()
    problems: list[str] = []
    params: dict[str, Any] = {}
    pos = 0
    command = ""
    if with_command:
        command, pos = _command(s)
        if not _COMMAND.match(command) and not _is_expression_token(command):
            problems.append(f"{command!r} is not a valid name")
    n = len(s)
    while True:
        while pos < n and s[pos].isspace():
            pos += 1
        if pos >= n:
            break
        match = _KEY.match(s, pos)
        if match is None:
            end = _token_end(s, pos)
            problems.append(f"unexpected text {s[pos:end]!r}; parameters are written name=value")
            pos = end
            continue
        key = match.group(1)
        pos = match.end()
        value, pos, problem = _value(s, pos, key)
        if problem:
            problems.append(problem)
            continue
        if pos < n and not s[pos].isspace():
            end = _token_end(s, pos)
            problems.append(f"parameter '{key}': unexpected text {s[pos:end]!r} after the value")
            pos = end
            continue
        if key in params:
            problems.append(f"parameter '{key}' is given twice")
        params[key] = value
    return Inline(command, params, tuple(problems))


def _is_expression_token(token: str) -> bool:
    return (token.startswith("<%") and token.endswith("%>")) or (token.startswith("{{") and token.endswith("}}"))


def _command(s: str) -> tuple[str, int]:
    """The leading name; an expression may serve as one (Mistral evaluates it at run time)."""
    for opening, closing in (("<%", "%>"), ("{{", "}}")):
        if s.startswith(opening):
            end = s.find(closing, len(opening))
            if end != -1:
                return s[: end + len(closing)], end + len(closing)
    end = _token_end(s, 0)
    return s[:end], end


def _token_end(s: str, pos: int) -> int:
    n = len(s)
    while pos < n and not s[pos].isspace():
        pos += 1
    return pos


def _value(s: str, pos: int, key: str) -> tuple[Any, int, str | None]:
    n = len(s)
    if pos >= n or s[pos].isspace():
        return None, pos, f"parameter '{key}' has no value; write {key}=\"\" for an empty string"
    char = s[pos]
    if char in "\"'":
        end = s.find(char, pos + 1)
        if end == -1:
            return None, n, f"parameter '{key}': the quote {char} is never closed"
        return s[pos + 1 : end], end + 1, None
    for opening, closing in (("<%", "%>"), ("{{", "}}")):
        if s.startswith(opening, pos):
            end = s.find(closing, pos + 2)
            if end == -1:
                return None, n, f"parameter '{key}': the expression {opening} is never closed with {closing}"
            return s[pos : end + 2], end + 2, None
    if s.startswith("{%", pos):
        return None, _token_end(s, pos), (
            f"parameter '{key}': a Jinja2 statement ({{% ... %}}) must be quoted, e.g. {key}=\"{{% ... %}}\""
        )
    if char in "[{":
        end = _json_end(s, pos)
        if end is None:
            return None, n, f"parameter '{key}': the {char} is never closed"
        raw = s[pos:end]
        try:
            return json.loads(raw), end, None
        except ValueError as exc:
            return None, end, (
                f"parameter '{key}': {raw!r} is not valid JSON ({exc.msg}); quote it to pass it as a string"
            )
    end = _token_end(s, pos)
    word = s[pos:end]
    if word in _LITERALS:
        return _LITERALS[word], end, None
    if _NUMBER.match(word):
        return json.loads(word), end, None
    return None, end, (
        f"parameter '{key}' has the unquoted value {word!r}, which Mistral would silently drop; "
        f"quote it ({key}=\"{word}\") or use an expression"
    )


def _json_end(s: str, pos: int) -> int | None:
    """Index just past the bracket that closes the one at ``pos`` (JSON strings respected)."""
    depth = 0
    in_string = False
    i = pos
    n = len(s)
    while i < n:
        c = s[i]
        if in_string:
            if c == "\\":
                i += 1
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None
