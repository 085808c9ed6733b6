"""Expressions: YAQL ``<% %>`` and Jinja2 ``{{ }}`` / ``{% %}`` inside workflow data.

Used by the language layer at upload (``has_expressions``, ``syntax_errors``) and by
the engine at run time (``evaluate`` with a ``Runtime``). Semantics follow Mistral
23.0.0; docs/expressions.md lists the differences that are on purpose.

Modules: ``patterns`` (finding expressions), ``evaluate`` (walking data),
``yaql_engine`` / ``jinja_engine`` (the two languages), ``yaql_metering`` /
``jinja_sandbox`` (keeping them safe), ``functions`` and ``serialization`` (Mistral's
functions), ``runtime`` (what context functions read), ``limits`` / ``guards``
(resource limits), ``results`` (plain results), ``syntax`` (upload checks), ``errors``.
"""

from __future__ import annotations

from .errors import ExpressionError, ExpressionLimitError, ExpressionSyntaxError
from .evaluate import evaluate
from .functions import FUNCTION_NAMES
from .limits import DEFAULT_LIMITS, Limits
from .patterns import has_expressions
from .runtime import ExecutionInfo, NullRuntime, Runtime, StaticRuntime, TaskInfo
from .syntax import syntax_errors

__all__ = [
    "DEFAULT_LIMITS",
    "ExecutionInfo",
    "ExpressionError",
    "ExpressionLimitError",
    "ExpressionSyntaxError",
    "FUNCTION_NAMES",
    "Limits",
    "NullRuntime",
    "Runtime",
    "StaticRuntime",
    "TaskInfo",
    "evaluate",
    "has_expressions",
    "syntax_errors",
]
