"""Jinja2 ``{{ }}`` / ``{% %}`` evaluation: what templates see, caching, rendering.

As in Mistral 23.0.0, a template sees the data as ``_``, the top-level names
``__env``, ``__execution`` and ``__task_execution`` copied from the data, and
Mistral's functions as globals (and filters: ``{{ _ | task('t1') }}``, where the piped
value stands for the context and is ignored). The sandbox itself is in
``jinja_sandbox``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import jinja2

from . import guards, limits
from .functions import bind
from .jinja_sandbox import FUNCTIONS_KEY, new_environment
from .runtime import Runtime

# Top-level names Mistral copies from the data context into Jinja's.
DATA_NAMES = ("__env", "__execution", "__task_execution")


class JinjaEngine:
    """The sandbox for one set of limits, with bounded caches of compiled text."""

    def __init__(self, lim: limits.Limits) -> None:
        self.env = new_environment()
        self.expression = functools.lru_cache(maxsize=lim.cache_size)(self._expression)
        self.template = functools.lru_cache(maxsize=lim.cache_size)(self.env.from_string)

    def _expression(self, source: str) -> Any:
        return self.env.compile_expression(source, undefined_to_none=False)


@functools.lru_cache(maxsize=8)
def engine_for(lim: limits.Limits) -> JinjaEngine:
    return JinjaEngine(lim)


def parse_error(text: str, lim: limits.Limits = limits.DEFAULT_LIMITS) -> str | None:
    """Why the Jinja template ``text`` does not parse, or None."""
    try:
        engine_for(lim).env.parse(text)
    except jinja2.TemplateSyntaxError as exc:
        return exc.message or str(exc)
    return None


def render_variables(data: Any, runtime: Runtime) -> dict[str, Any]:
    """What a template sees: ``_`` (the data), Mistral's top-level names, the functions."""
    functions = bind(runtime)
    variables: dict[str, Any] = {"_": data, FUNCTIONS_KEY: functions, **functions}
    for name in DATA_NAMES:
        variables[name] = data.get(name) if isinstance(data, Mapping) else None
    return variables


def evaluate_expression(source: str, variables: dict[str, Any], lim: limits.Limits) -> Any:
    """The native value of the inside of one ``{{ }}``."""
    return engine_for(lim).expression(source)(variables)


def render(text: str, variables: dict[str, Any], lim: limits.Limits) -> str:
    """Render a template, refusing output longer than the string limit."""
    template = engine_for(lim).template(text)
    chunks: list[str] = []
    size = 0
    for chunk in template.generate(variables):  # already charged piece by piece
        size += len(chunk)
        guards.check_string_size(size)
        chunks.append(chunk)
    return "".join(chunks)
