"""An action's input signature: read from Python, shown as Mistral shows it, checked before a run.

Mistral lists an action's input as one string, ``output, delay=0``: parameters in order,
defaults JSON-encoded (``method="GET"``, ``params=null``), ``**kwargs`` last when any keyword is
accepted. The REST API's ``/v2/actions`` returns that string, so ``spec`` reproduces it exactly.
"""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass
from typing import Any, Callable, Mapping


class _Required:
    """Marker for a parameter without a default."""

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()


@dataclass(frozen=True)
class Param:
    name: str
    default: Any = REQUIRED

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def spec(self) -> str:
        if self.required:
            return self.name
        try:
            shown = json.dumps(self.default)
        except (TypeError, ValueError):
            shown = json.dumps(repr(self.default))
        return f"{self.name}={shown}"


@dataclass(frozen=True)
class Signature:
    """Ordered parameters, plus the name of a ``**kwargs`` catch-all if the action has one."""

    params: tuple[Param, ...] = ()
    var_keyword: str | None = None

    @property
    def spec(self) -> str:
        parts = [p.spec() for p in self.params]
        if self.var_keyword:
            parts.append(f"**{self.var_keyword}")
        return ", ".join(parts)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    def compare(self, given: Mapping[str, Any] | None) -> tuple[list[str], list[str]]:
        """(missing required names in signature order, unexpected names in input order)."""
        given = given or {}
        known = set(self.names)
        missing = [p.name for p in self.params if p.required and p.name not in given]
        unexpected = [] if self.var_keyword else [str(k) for k in given if k not in known]
        return missing, unexpected

    def with_defaults(self, given: Mapping[str, Any] | None) -> dict[str, Any]:
        """The input with every omitted optional parameter filled in from its default."""
        full = {p.name: p.default for p in self.params if not p.required}
        full.update(given or {})
        return full


def signature_of(target: Callable[..., Any], *, skip_first: bool) -> Signature:
    """Read the keyword parameters of a class's ``__init__`` or of a function.

    ``skip_first`` drops the first parameter: ``self`` of ``__init__``, or the context that a
    function action takes first. Positional-only and ``*args`` parameters are refused because
    action input always arrives by name.
    """
    params = list(inspect.signature(target).parameters.values())
    if skip_first:
        if not params or params[0].kind not in (params[0].POSITIONAL_ONLY, params[0].POSITIONAL_OR_KEYWORD):
            raise TypeError(f"{_name(target)} must take the action context as its first parameter")
        params = params[1:]
    out: list[Param] = []
    var_keyword = None
    for p in params:
        if p.kind is p.VAR_KEYWORD:
            var_keyword = p.name
        elif p.kind in (p.POSITIONAL_ONLY, p.VAR_POSITIONAL):
            raise TypeError(f"{_name(target)}: parameter '{p.name}' cannot be passed by name")
        else:
            out.append(Param(p.name, REQUIRED if p.default is p.empty else p.default))
    return Signature(tuple(out), var_keyword)


def parse_spec(spec: str) -> Signature:
    """Read Mistral's input string (``url, method="GET", **kwargs``) back into a Signature.

    Lets an action whose code is elsewhere (a Lambda function, say) declare its input as text.
    Defaults are JSON; a default that is not JSON is kept as the bare text.
    """
    out: list[Param] = []
    var_keyword = None
    for raw in _split_top_level(spec):
        part = raw.strip()
        if not part:
            continue
        if part.startswith("**"):
            var_keyword = part[2:].strip() or "kwargs"
            continue
        name, eq, default = part.partition("=")
        name = name.strip()
        if not name.isidentifier():
            raise ValueError(f"invalid parameter name {name!r} in action input {spec!r}")
        if not eq:
            out.append(Param(name))
            continue
        text = default.strip()
        try:
            value = json.loads(text)
        except ValueError:
            value = text
        out.append(Param(name, value))
    return Signature(tuple(out), var_keyword)


def _split_top_level(spec: str) -> list[str]:
    """Split on commas outside brackets and quotes, so ``a=[1, 2], b="x,y"`` is two parts."""
    parts, depth, quote, start, escaped = [], 0, "", 0, False
    for i, ch in enumerate(spec):
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "[{(":
            depth += 1
        elif ch in "]})":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(spec[start:i])
            start = i + 1
    parts.append(spec[start:])
    return parts


def _name(target: Callable[..., Any]) -> str:
    return getattr(target, "__qualname__", repr(target))
