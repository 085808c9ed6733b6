"""``evaluate``: the values of the expressions inside workflow data, Mistral's way.

- A string that is exactly one expression (``"<% $.x %>"``, ``"{{ _.x }}"``, no text
  or whitespace around it) gives the expression's native value; any text around
  gives a string, values rendered with Python's ``str()`` (``None``, ``True``,
  ``{'k': 'v'}``), as Mistral does.
- Dicts and lists are walked; dict keys are left as they are (Mistral never
  evaluates keys); strings produced by an expression are not evaluated again.
- A string with both YAQL and Jinja expressions is refused (Mistral refuses it at
  upload; at run time it would silently leave the YAQL part as text).
- Failures raise ``ExpressionError``; each string gets its own work budget.

Pure: nothing is read but ``data`` and ``runtime``, and the input is never changed;
the result is fresh data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import jinja2

from . import jinja_engine, patterns, results, yaql_engine
from .errors import ExpressionError, ExpressionLimitError, ExpressionSyntaxError, LimitExceeded
from .limits import DEFAULT_LIMITS, Limits, budget_scope
from .runtime import NullRuntime, Runtime

MIXED_LANGUAGES = (
    "the string has both YAQL (<% %>) and Jinja ({{ }}) expressions; "
    "Mistral allows one expression language per string"
)


class _Evaluation:
    """One call of ``evaluate``: its inputs and what is worth computing only once."""

    def __init__(self, data: Mapping[str, Any], runtime: Runtime, limits: Limits) -> None:
        self.data = data
        self.runtime = runtime
        self.limits = limits
        self._yaql_data: Any = None
        self._jinja_variables: dict[str, Any] | None = None

    def yaql_data(self) -> Any:
        if self._yaql_data is None:
            self._yaql_data = yaql_engine.convert_data(self.data)
        return self._yaql_data

    def jinja_variables(self) -> dict[str, Any]:
        if self._jinja_variables is None:
            self._jinja_variables = jinja_engine.render_variables(self.data, self.runtime)
        return self._jinja_variables

    def walk(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.string(value)
        if isinstance(value, Mapping):
            return {key: self.walk(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.walk(item) for item in value]
        if isinstance(value, tuple):
            return tuple(self.walk(item) for item in value)
        return value

    def string(self, text: str) -> Any:
        languages = patterns.languages_in(text)
        if not languages:
            return text
        if len(languages) > 1:
            raise ExpressionError(text, MIXED_LANGUAGES)
        with budget_scope(self.limits):
            if languages[0] == patterns.JINJA:
                return self.jinja(text)
            return self.yaql(text)

    def yaql(self, text: str) -> Any:
        whole = patterns.whole_yaql(text)
        if whole is not None:
            return self.yaql_one(whole, results.to_plain)
        parts: list[str] = []
        end = 0
        for match in patterns.YAQL_PATTERN.finditer(text):
            parts.append(text[end:match.start()])
            parts.append(self.yaql_one(match.group(1), results.to_text))
            end = match.end()
        parts.append(text[end:])
        return "".join(parts)

    def yaql_one(self, source: str, finish: Callable[[Any], Any]) -> Any:
        source = source.strip()
        try:
            expression = yaql_engine.parse(source, self.limits)
        except yaql_engine.PARSE_ERRORS as exc:
            raise ExpressionSyntaxError(source, str(exc), patterns.YAQL) from None
        try:
            return finish(yaql_engine.run(expression, self.yaql_data(), self.runtime))
        except Exception as exc:  # noqa: BLE001 - any failure of user code becomes an ExpressionError
            raise _failure(exc, source, patterns.YAQL) from None

    def jinja(self, text: str) -> Any:
        whole = patterns.whole_jinja(text)
        try:
            if whole is not None:
                value = jinja_engine.evaluate_expression(whole, self.jinja_variables(), self.limits)
                return results.to_plain(value)
            return jinja_engine.render(text, self.jinja_variables(), self.limits)
        except jinja2.TemplateSyntaxError as exc:
            raise ExpressionSyntaxError(text, exc.message or str(exc), patterns.JINJA) from None
        except Exception as exc:  # noqa: BLE001
            raise _failure(exc, text, patterns.JINJA) from None


def _failure(exc: BaseException, expression: str, language: str) -> ExpressionError:
    """The ExpressionError for an exception raised while evaluating ``expression``."""
    limit = str(exc) if isinstance(exc, LimitExceeded) else yaql_engine.limit_cause(exc)
    if limit is not None:
        return ExpressionLimitError(expression, limit, language)
    if isinstance(exc, MemoryError):
        return ExpressionLimitError(expression, "the expression ran out of memory", language)
    if isinstance(exc, RecursionError):
        return ExpressionLimitError(expression, "the expression nests or recurses too deeply", language)
    if isinstance(exc, ExpressionError):
        return exc
    if isinstance(exc, KeyError) and len(exc.args) == 1:
        return ExpressionError(expression, f"key {exc.args[0]!r} not found", language)
    message = str(exc) or type(exc).__name__
    return ExpressionError(expression, re.sub(r"\s+", " ", message).strip(), language)


def evaluate(value: Any, data: Mapping[str, Any], runtime: Runtime | None = None, *,
             limits: Limits = DEFAULT_LIMITS) -> Any:
    """The value of ``value`` with every expression in it evaluated against ``data``.

    ``data`` is what YAQL's ``$`` and Jinja's ``_`` see; ``runtime`` answers
    ``task()``, ``execution()``, ``env()``, ``global()``, ``uuid()`` ... (default:
    ``NullRuntime``). Raises ``ExpressionError``.
    """
    evaluation = _Evaluation(data, runtime if runtime is not None else NullRuntime(), limits)
    return evaluation.walk(value)

