"""The Jinja sandbox: Mistral's environment options, made safe against runaway templates.

Mistral 23.0.0 uses a ``SandboxedEnvironment`` with ``StrictUndefined``,
``trim_blocks`` and ``lstrip_blocks``. Here the sandbox is the *immutable* one (an
expression cannot change the data it reads, e.g. ``_.list.append(1)``), ``lipsum`` is
gone, ``range`` is bounded by ``Limits.max_iterations``, and operators, calls,
filters, namespaces, printed output and ``~`` are checked (``guards``) and charged
against the expression's work budget (``limits``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

import jinja2
import jinja2.utils
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.sandbox import ImmutableSandboxedEnvironment

from . import guards, limits
from .functions import CONTEXT_FUNCTIONS, DATA_IMPLEMENTATIONS

# A context variable no template can name (not an identifier); filters find the
# evaluation's functions there.
FUNCTIONS_KEY = "sirocco:functions"


def _bounded_range(*args: int) -> range:
    numbers = range(*args)
    guards.check_collection_size(len(numbers))
    limits.charge(limits.ITEM_UNITS * len(numbers))  # looping over it is work too
    return numbers


class _MeteredNamespace(jinja2.utils.Namespace):
    """``namespace()``: each ``{% set ns.x = ... %}`` is charged (loops cannot double forever)."""

    def __setitem__(self, name: str, value: Any) -> None:
        limits.charge(limits.units_of(value))
        super().__setitem__(name, value)


def _bound_method(obj: Any) -> tuple[Any, str] | None:
    """(owner, method name) if ``obj`` is a bound method of a str or an int (or the
    sandbox's wrapper of one): the builtins whose methods can amplify."""
    target = getattr(obj, "__wrapped__", obj)
    owner = getattr(target, "__self__", None)
    if isinstance(owner, (str, int)) and not isinstance(owner, bool):
        return owner, getattr(target, "__name__", "")
    return None


def _check_builtin_call(owner: Any, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Pre-check the str/int methods that can build much more than they are given."""
    first = args[0] if args else next(iter(kwargs.values()), None)
    if isinstance(owner, int):
        if method == "to_bytes":
            guards.check_width(first if first is not None else 1)
        return args
    if method in ("ljust", "rjust", "center", "zfill"):
        guards.check_width(first)
    elif method == "expandtabs":
        tabsize = first if first is not None else 8
        if isinstance(tabsize, int):
            guards.check_string_size(len(owner) + owner.count("\t") * tabsize)
    elif method == "replace":
        guards.check_replace(owner, *args[:3])
    elif method == "translate" and isinstance(first, Mapping):
        largest = max((len(v) if isinstance(v, str) else 1 for v in first.values()), default=1)
        guards.check_string_size(len(owner) * largest)
    elif method == "join" and args:
        items = list(args[0])
        guards.check_join(owner, items)
        return (items, *args[1:])
    elif method == "format":
        guards.check_format(owner, args, kwargs)
    elif method == "format_map" and args:
        guards.check_format(owner, (), args[0] if isinstance(args[0], Mapping) else None)
    return args


def _metered_output(value: Any) -> Any:
    """``finalize``: every ``{{ }}`` printed, also inside loops, macros and set blocks."""
    limits.charge(len(value) if isinstance(value, str) else limits.units_of(value))
    return value


def _metered_concat(join: Callable[[Any], str], parts: tuple[Any, ...]) -> str:
    """The ``~`` operator: refuse a string past the limit before joining it."""
    size = sum(len(p) if isinstance(p, str) else limits.ITEM_UNITS * limits.units_of(p) for p in parts)
    guards.check_string_size(size)
    limits.charge(size)
    return join(parts)


class _MeteredCodeGenerator(CodeGenerator):
    """Compiles templates so that literal output and ``~`` are charged too.

    Output built inside a macro or a ``{% set %}`` block is joined in memory before
    anyone sees it; charging each piece as it is produced stops a loop early.
    """

    def visit_Output(self, node: nodes.Output, frame: Frame) -> None:
        literal = sum(len(child.data) for child in node.nodes if isinstance(child, nodes.TemplateData))
        if literal:
            self.writeline(f"environment.sirocco_charge({literal})")
        super().visit_Output(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        else:
            join = "markup_join" if frame.eval_ctx.autoescape else "str_join"
        self.write(f"environment.sirocco_concat({join}, (")
        for part in node.nodes:
            self.visit(part, frame)
            self.write(", ")
        self.write("))")


class SiroccoSandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "%", "+"})
    code_generator_class = _MeteredCodeGenerator
    sirocco_charge = staticmethod(limits.charge)
    sirocco_concat = staticmethod(_metered_concat)

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            guards.check_multiply(left, right)
        elif operator == "**":
            guards.check_power(left, right)
        elif operator == "%":
            guards.check_printf(left, right)
        elif operator == "+":
            guards.check_concat(left, right)
        result = super().call_binop(context, operator, left, right)
        limits.charge(limits.units_of(result))
        return result

    def call(__self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        bound = _bound_method(__obj)
        if bound is not None:
            args = _check_builtin_call(bound[0], bound[1], args, kwargs)
        else:  # macros and other callables: what they are given is work too
            limits.charge(sum(limits.units_of(a) for a in args) + len(kwargs))
        result = super().call(__context, __obj, *args, **kwargs)
        limits.charge(limits.units_of(result))
        return result


def _filter_args(function: Callable[..., Any], args: tuple[Any, ...]) -> tuple[Any, ...]:
    """A filter's arguments without the context/environment Jinja passes first."""
    return args[1:] if jinja2.utils._PassArg.from_obj(function) is not None else args


def _precheck_filter(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    def arg(position: int, keyword: str, default: Any = None) -> Any:
        return args[position] if len(args) > position else kwargs.get(keyword, default)

    value = args[0] if args else None
    if name == "center":
        guards.check_width(arg(1, "width", 80))
    elif name == "indent":
        width = arg(1, "width", 4)
        lines = value.count("\n") + 1 if isinstance(value, str) else 1
        guards.check_string_size(lines * (len(width) if isinstance(width, str) else int(width or 0)))
    elif name == "format":
        guards.check_printf(value, kwargs if kwargs else tuple(args[1:]))
    elif name == "replace":
        guards.check_replace(value, arg(1, "old"), arg(2, "new"), arg(3, "count", -1) or -1)
    elif name == "batch" and arg(2, "fill_with") is not None:
        guards.check_collection_size(arg(1, "linecount", 0))
    elif name == "slice":
        guards.check_collection_size(arg(1, "slices", 0))
    elif name == "tojson" and isinstance(arg(1, "indent"), int):
        guards.check_width(arg(1, "indent") * 1000)  # indentation repeats on every line
    elif name == "wordwrap" and isinstance(value, str):
        breaks = len(value) // max(int(arg(1, "width", 79) or 1), 1) + 1
        guards.check_string_size(len(value) + breaks * len(str(arg(4, "wrapstring") or "\n")))


def _metered_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        plain = _filter_args(function, args)
        if name == "join" and plain:
            items = list(plain[0])
            guards.check_join(plain[1] if len(plain) > 1 else kwargs.get("d", ""), items)
            args = (*args[: len(args) - len(plain)], items, *plain[1:])
        else:
            _precheck_filter(name, plain, kwargs)
        result = function(*args, **kwargs)
        limits.charge(limits.units_of(result))
        return result

    return functools.update_wrapper(run, function)


def _context_filter(name: str) -> Callable[..., Any]:
    @jinja2.pass_context
    def run(context: jinja2.runtime.Context, _value: Any, *args: Any, **kwargs: Any) -> Any:
        return context[FUNCTIONS_KEY][name](*args, **kwargs)

    return run


def _data_filter(implementation: Callable[[Any], Any]) -> Callable[..., Any]:
    # Mistral: ``x | json_dump(data)`` dumps ``data``; here ``x | json_dump`` dumps ``x`` too.
    def run(value: Any, *data: Any) -> Any:
        return implementation(data[0] if data else value)

    return run


def new_environment() -> SiroccoSandbox:
    """The sandbox with Mistral's options, our limits, and Mistral's functions as filters."""
    env = SiroccoSandbox(undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True, autoescape=False,
                         finalize=_metered_output)
    env.globals.pop("lipsum", None)  # lipsum(n) builds n paragraphs
    env.globals["range"] = _bounded_range
    env.globals["namespace"] = _MeteredNamespace
    env.filters = {name: _metered_filter(name, f) for name, f in env.filters.items()}
    for name in CONTEXT_FUNCTIONS:
        env.filters[name] = _context_filter(name)
    for name, implementation in DATA_IMPLEMENTATIONS.items():
        env.filters[name] = _data_filter(implementation)
    return env
