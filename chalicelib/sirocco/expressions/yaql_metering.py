"""Metering for yaql: every standard library function charges what it builds.

yaql checks its memory quota *after* a function returned, and per value. Here each
function registered in our root context is wrapped (through yaql's own
``Context._import_function_definition`` hook): known amplifiers get their arguments
checked before they run (``guards``), and every result is charged to the
expression's work budget (``limits``), so nested growth stops early.
"""

from __future__ import annotations

import collections.abc  # noqa: F401  yaql 3.2 uses collections.abc without importing it
import functools
import inspect
from collections.abc import Callable
from typing import Any

from yaql.language import contexts, specs
from yaql.standard_library import collections as std_collections
from yaql.standard_library import math as std_math
from yaql.standard_library import regex as std_regex
from yaql.standard_library import strings as std_strings

from . import guards, limits

# Functions that hand back a value that already exists (data access, context
# functions): they cost one unit, not the size of what they return.
_ACCESSORS = frozenset({
    "#get_context_data", "#operator_.", "#operator_?.", "#indexer", "get", "first", "last",
    "single", "elementAt", "#operator_->", "let", "#finalize", "#iter", "switch", "coalesce",
    "task", "tasks", "execution", "executions", "env", "global",
})

Arguments = dict[str, Any]


def _materialise(arguments: Arguments, name: str) -> list[Any]:
    arguments[name] = items = list(arguments[name])
    return items


def _meter_replacements(arguments: Arguments) -> None:
    arguments["repl"] = guards.metered_replacements(arguments["string"], arguments["repl"])


# Pre-checks, keyed by the yaql standard library function they protect; each gets
# the call's arguments by parameter name (and may replace a lazy one by a list).
_PRECHECKS: dict[Callable[..., Any], Callable[[Arguments], None]] = {
    std_math.multiplication: lambda a: guards.check_multiply(a["left"], a["right"]),
    std_math.pow_: lambda a: guards.check_power(a["a"], a["b"], a["c"]),
    std_math.shift_bits_left: lambda a: guards.check_shift_left(a["value"], a["bits_number"]),
    std_strings.string_by_int: lambda a: guards.check_repeat(a["left"], a["right"]),
    std_strings.int_by_string: lambda a: guards.check_repeat(a["right"], a["left"]),
    std_strings.replace: lambda a: guards.check_replace(a["string"], a["old"], a["new"], a["count"]),
    std_strings.replace_with_dict: lambda a: guards.check_replace_all(a["string"], a["replacements"], a["count"]),
    std_strings.concat: lambda a: guards.check_strings_total(*a["args"]),
    std_strings.join: lambda a: guards.check_join(a["separator"], _materialise(a, "sequence")),
    std_strings.join_: lambda a: guards.check_join(a["separator"], _materialise(a, "sequence")),
    std_regex.replace: lambda a: guards.check_regex_replace(a["regexp"], a["string"], a["repl"], a["count"]),
    std_regex.replace_string: lambda a: guards.check_regex_replace(a["regexp"], a["string"], a["repl"], a["count"]),
    std_regex.replace_by: lambda a: _meter_replacements(a),
    std_regex.replace_by_string: lambda a: _meter_replacements(a),
    std_collections.list_by_int: lambda a: guards.check_repeat(a["left"], a["right"]),
    std_collections.int_by_list: lambda a: guards.check_repeat(a["right"], a["left"]),
    std_collections.combine_lists: lambda a: guards.check_concat(a["left"], a["right"]),
}


def _metered(name: str, payload: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap one yaql function: pre-check its arguments, charge what it returns."""
    precheck = _PRECHECKS.get(payload)
    signature = inspect.signature(payload) if precheck else None
    accessor = name in _ACCESSORS

    @functools.wraps(payload)
    def run(*args: Any, **kwargs: Any) -> Any:
        if precheck is not None and signature is not None:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            precheck(bound.arguments)
            args, kwargs = bound.args, bound.kwargs
        result = payload(*args, **kwargs)
        limits.charge(1 if accessor else limits.units_of(result))
        return result

    return run


class MeteredContext(contexts.Context):
    """A yaql context whose every registered function is metered (yaql's own hook)."""

    def _import_function_definition(self, fd: specs.FunctionDefinition) -> specs.FunctionDefinition:
        fd.payload = _metered(fd.name, fd.payload)
        return fd
