"""The one exception type the engine catches when an expression cannot be evaluated.

Its ``str()`` follows Mistral's wording ("Can not evaluate YAQL expression
[expression=..., error=...]") so that a task's ``state_info`` reads the same; it never
holds a traceback and never the data context (which may carry secrets).
"""

from __future__ import annotations

_MAX_SHOWN = 500  # characters of the expression/cause kept in str(), so state_info stays readable

_LANGUAGE_NAMES = {"yaql": "YAQL", "jinja": "Jinja"}


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_SHOWN else text[:_MAX_SHOWN] + "..."


class ExpressionError(Exception):
    """An expression failed: bad syntax, a runtime error, a sandbox or limit violation.

    ``expression`` is the text that failed (for YAQL the inside of ``<% %>``, for Jinja
    the whole string, as Mistral reports them), ``cause`` a one-line reason and
    ``language`` ``"yaql"``, ``"jinja"`` or ``None`` when the string mixes both.
    """

    def __init__(self, expression: str, cause: str, language: str | None = None) -> None:
        super().__init__(expression, cause, language)
        self.expression = expression
        self.cause = cause
        self.language = language

    def __str__(self) -> str:
        kind = _LANGUAGE_NAMES.get(self.language or "", "")
        what = f"{kind} expression" if kind else "expression"
        return f"Can not evaluate {what} [expression={_clip(self.expression)}, error={_clip(self.cause)}]"


class ExpressionSyntaxError(ExpressionError):
    """The expression does not parse (raised at evaluation time; see ``syntax_errors``)."""


class ExpressionLimitError(ExpressionError):
    """The expression tried to use more memory, items or work than the limits allow."""


class LimitExceeded(Exception):
    """Raised deep inside an evaluation by a guard; turned into ExpressionLimitError."""
