"""YAQL ``<% %>`` evaluation with Mistral's engine options and functions, and limits.

Mistral 23.0.0 builds its engine with ``keyword_operator='=>'``, no delegates, input
data converted to yaql's immutable types, output converted, tuples to lists, sets
kept, dicts not iterable, and yaql's whole standard library (``yaql.create_context()``).
Same here, plus limits that Mistral leaves off by default: ``yaql.limitIterators`` and
``yaql.memoryQuota`` from ``Limits``, and every function metered (``yaql_metering``).
Output conversion is ours (``results.to_plain``) so that it is charged too.
"""

from __future__ import annotations

import collections.abc  # noqa: F401  yaql 3.2 uses collections.abc without importing it
import functools
from collections.abc import Callable
from typing import Any

import yaql
from yaql.language import contexts, conventions, factory
from yaql.language import exceptions as yaql_exceptions
from yaql.language import utils as yaql_utils

from . import limits
from .functions import DATA_IMPLEMENTATIONS
from .runtime import Runtime
from .yaql_metering import MeteredContext

# Normalised by yaql to "$#sirocco_runtime": no YAQL syntax can name it.
RUNTIME_KEY = "#sirocco_runtime"

def _runtime(context: contexts.ContextBase) -> Runtime:
    return context[RUNTIME_KEY]


# Mistral's functions, with Mistral's parameter names (camelCased by yaql for `=>`).
def _task(context, task_name=None):
    return _runtime(context).task(task_name)


def _tasks(context, workflow_execution_id=None, recursive=False, state=None, flat=False):
    return _runtime(context).tasks(workflow_execution_id, recursive, state, flat)


def _execution(context):
    return _runtime(context).execution()


def _executions(context, id=None, root_execution_id=None, state=None, from_time=None, to_time=None):
    return _runtime(context).executions(id, root_execution_id, state, from_time, to_time)


def _env(context):
    return _runtime(context).env()


def _global(context, var_name):
    return _runtime(context).global_var(var_name)


def _uuid(context):
    return _runtime(context).new_uuid()


def _data_function(implementation: Callable[[Any], Any]) -> Callable[..., Any]:
    def function(data):
        return implementation(data)

    function.__name__ = implementation.__name__
    return function


_CONTEXT_FUNCTIONS = {
    "task": _task, "tasks": _tasks, "execution": _execution, "executions": _executions,
    "env": _env, "global": _global, "uuid": _uuid,
}


@functools.lru_cache(maxsize=1)
def root_context() -> contexts.ContextBase:
    """yaql's standard library and Mistral's functions; shared, never written to."""
    base = MeteredContext(convention=conventions.CamelCaseConvention())
    context = yaql.create_context(context=base)
    for name, function in _CONTEXT_FUNCTIONS.items():
        context.register_function(function, name=name)
    for name, implementation in DATA_IMPLEMENTATIONS.items():
        context.register_function(_data_function(implementation), name=name)
    return context


class YaqlParser:
    """The engine for one set of limits, with a bounded cache of parsed expressions."""

    def __init__(self, lim: limits.Limits) -> None:
        self.engine = factory.YaqlFactory(keyword_operator="=>", allow_delegates=False).create(options={
            "yaql.limitIterators": lim.max_iterations,
            "yaql.memoryQuota": lim.memory_quota,
            "yaql.convertInputData": True,
            "yaql.convertOutputData": False,  # results.to_plain converts, and charges
            "yaql.convertTuplesToLists": True,
            "yaql.convertSetsToLists": False,
            "yaql.iterableDicts": False,
        })
        self.parse = functools.lru_cache(maxsize=lim.cache_size)(self._parse)

    def _parse(self, source: str) -> Any:
        return self.engine(source)


@functools.lru_cache(maxsize=8)
def parser_for(lim: limits.Limits) -> YaqlParser:
    return YaqlParser(lim)


PARSE_ERRORS = (yaql_exceptions.YaqlException, KeyError, ValueError, TypeError)


def parse_error(source: str, lim: limits.Limits = limits.DEFAULT_LIMITS) -> str | None:
    """Why ``source`` (the inside of ``<% %>``) does not parse, or None."""
    try:
        parse(source.strip(), lim)
    except PARSE_ERRORS as exc:
        return str(exc)
    return None


_PLAIN = frozenset({str, int, float, bool, type(None)})


def convert_data(data: Any) -> Any:
    """What ``$`` is: the data in yaql's immutable types, as Mistral converts it.

    Same result as yaql's ``convert_input_data`` (dicts to FrozenDict, lists to
    tuples), with fast paths for JSON types: the conversion runs once per evaluated
    string and dominated the cost of small expressions over a large context.
    """
    kind = type(data)
    if kind is dict:
        return yaql_utils.FrozenDict({
            key if type(key) is str else convert_data(key): value if type(value) in _PLAIN else convert_data(value)
            for key, value in data.items()
        })
    if kind is list or kind is tuple:
        return tuple([item if type(item) in _PLAIN else convert_data(item) for item in data])
    if kind in _PLAIN:
        return data
    return yaql_utils.convert_input_data(data, _convert_any)


def _convert_any(data: Any, _rec: Any) -> Any:
    return convert_data(data)


def parse(source: str, lim: limits.Limits) -> Any:
    """The parsed form of the inside of one ``<% %>`` (cached); raises PARSE_ERRORS."""
    return parser_for(lim).parse(source)


def run(expression: Any, converted_data: Any, runtime: Runtime) -> Any:
    """Evaluate a parsed expression with ``$`` = the converted data; raw yaql result."""
    context = root_context().create_child_context()
    context["$"] = converted_data
    context[RUNTIME_KEY] = runtime
    return expression.evaluate(context=context)


def limit_cause(exc: BaseException) -> str | None:
    """The message for one of yaql's own limit exceptions, or None if it is not one."""
    if isinstance(exc, yaql_exceptions.CollectionTooLargeException):
        return f"a collection has more than {limits.current_limits().max_iterations} items"
    if isinstance(exc, yaql_exceptions.MemoryQuotaExceededException):
        return f"a value would take more than {limits.current_limits().memory_quota} bytes"
    return None
