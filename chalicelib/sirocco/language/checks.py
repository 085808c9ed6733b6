"""Small value checks shared by every part of the language.

Each check reports into ``Errors`` and returns the accepted value (or None),
so callers never branch on exceptions and every problem of a document is kept.
"""

from __future__ import annotations

import re
from typing import Any

from sirocco.expressions import syntax_errors

from .errors import Errors, Where
from .yaml_loader import YList, YMap, line_of

# A value that is one expression as a whole (Mistral's rule for policy values,
# transition conditions and the like): starts with the opening delimiter and
# ends with the closing one.
_WHOLE_EXPRESSION = re.compile(r"\s*(<%.*%>|\{\{.*\}\})\s*\Z", re.DOTALL)
_HAS_YAQL = re.compile(r"<%.*?%>", re.DOTALL)
_HAS_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)


def is_expression(value: Any) -> bool:
    """True for a string that is entirely one YAQL or Jinja2 expression."""
    return isinstance(value, str) and _WHOLE_EXPRESSION.match(value) is not None


def describe_name(value: Any) -> str:
    """Like ``describe``, with a hint when YAML turned a name into a boolean, number or null."""
    text = describe(value)
    if value is None or isinstance(value, (bool, int, float)):
        text += " (YAML reads yes/no/on/off/true/false/null and numbers as such; quote the name)"
    return text


def describe(value: Any) -> str:
    """A short, type-revealing rendering of a value for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping" if value else "an empty mapping"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# Results for the document being parsed (cleared after each one, so that no
# figure is flattered by an earlier upload): a workflow often repeats an
# expression, and parsing YAQL/Jinja2 is the dominant cost of validation.
_seen_expressions: dict[str, tuple[str, ...]] = {}


def forget_expressions() -> None:
    _seen_expressions.clear()


# Finding expressions costs time proportional to (openers left unclosed after the
# last closer) x (length of the text); cap the former so a hostile text cannot
# stall an upload. Real texts have none or a handful.
_MAX_UNCLOSED = 20
_DELIMITERS = (("<%", "%>"), ("{{", "}}"), ("{%", "%}"))


def _too_many_unclosed(text: str) -> str | None:
    for opener, closer in _DELIMITERS:
        last = text.rfind(closer)
        if text.count(opener, 0 if last == -1 else last) > _MAX_UNCLOSED:
            return f"more than {_MAX_UNCLOSED} '{opener}' are never closed with '{closer}'; close or remove them"
    return None


def expression_problems(text: str) -> tuple[str, ...]:
    """Syntax problems of the expressions inside a string (empty for plain text)."""
    if "<%" not in text and "{" not in text:
        return ()
    known = _seen_expressions.get(text)
    if known is not None:
        return known
    runaway = _too_many_unclosed(text)
    if runaway is not None:
        result = _seen_expressions[text] = (runaway,)
        return result
    try:
        problems = list(syntax_errors(text))
    except RecursionError:
        problems = ["the expression is nested too deeply to be checked"]
    except Exception as exc:  # the expression parser's failure must still reach the user
        problems = [f"the expression could not be checked ({type(exc).__name__}: {exc})"]
    if not problems and _HAS_YAQL.search(text) and _HAS_JINJA.search(text):
        problems.append("mixes YAQL and Jinja2 expressions in one string, which Mistral does not allow")
    result = _seen_expressions[text] = tuple(problems)
    return result


def check_string_expressions(text: str, where: Where, errors: Errors, line: int | None, path: str = "") -> None:
    for problem in expression_problems(text):
        errors.add(where, f"{path}: {problem}" if path else problem, line)


def data(value: Any, where: Where, errors: Errors, line: int | None, path: str = "") -> Any:
    """Copy user data into plain dicts/lists, checking the syntax of every expression in it.

    Keys are not evaluated by Mistral, so only values are checked. ``path``
    names the position inside the attribute (``a.b[2]``) for the message.
    """
    if isinstance(value, str):
        if "<%" in value or "{" in value:
            check_string_expressions(value, where, errors, line, path)
        return value
    if isinstance(value, dict):
        lines = value.key_lines if isinstance(value, YMap) else {}
        return {
            key: data(item, where, errors, lines.get(key, line), f"{path}.{key}" if path else str(key))
            for key, item in value.items()
        }
    if isinstance(value, list):
        lines = value.item_lines if isinstance(value, YList) else ()
        return [
            data(item, where, errors, lines[i] if i < len(lines) else line, f"{path}[{i}]")
            for i, item in enumerate(value)
        ]
    return value


def unknown_keys(mapping: YMap, allowed: frozenset[str] | set[str], where: Where, errors: Errors, what: str) -> None:
    for key in mapping:
        if key not in allowed:
            errors.add(
                where.sub(str(key)),
                f"unknown attribute of {what}; allowed: {', '.join(sorted(allowed))}",
                line_of(mapping, key),
            )


def string(value: Any, where: Where, errors: Errors, line: int | None, *, expression_ok: bool = False) -> str | None:
    """A non-empty string (descriptions, names)."""
    if isinstance(value, str) and value.strip():
        if expression_ok:
            check_string_expressions(value, where, errors, line)
        return value
    errors.add(where, f"must be a non-empty string, got {describe(value)}", line)
    return None


def tags(value: Any, where: Where, errors: Errors, line: int | None) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        errors.add(where, f"must be a non-empty list of strings, got {describe(value)}", line)
        return ()
    result: list[str] = []
    for i, item in enumerate(value):
        item_line = line_of(value, i, line)
        if not isinstance(item, str) or not item:
            errors.add(where, f"each tag must be a non-empty string, got {describe(item)}", item_line)
        elif item in result:
            errors.add(where, f"tag {item!r} is listed twice", item_line)
        else:
            result.append(item)
    return tuple(result)


def count_or_expression(value: Any, where: Where, errors: Errors, line: int | None) -> int | str | None:
    """A non-negative integer or an expression that will give one at run time."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if is_expression(value):
        check_string_expressions(value, where, errors, line)
        return value
    errors.add(where, f"must be a non-negative integer or an expression, got {describe(value)}", line)
    return None


def bool_or_expression(value: Any, where: Where, errors: Errors, line: int | None) -> bool | str | None:
    if isinstance(value, bool):
        return value
    if is_expression(value):
        check_string_expressions(value, where, errors, line)
        return value
    errors.add(where, f"must be true, false or an expression, got {describe(value)}", line)
    return None


def expression(value: Any, where: Where, errors: Errors, line: int | None) -> str | None:
    """A condition: must be one whole expression."""
    if is_expression(value):
        check_string_expressions(value, where, errors, line)
        return value
    errors.add(where, f"must be an expression (<% ... %> or {{{{ ... }}}}), got {describe(value)}", line)
    return None


def named_mapping(value: Any, where: Where, errors: Errors, line: int | None) -> dict[str, Any] | None:
    """A non-empty mapping of names to data (publish, vars, output, base-input)."""
    if not isinstance(value, dict) or not value:
        errors.add(where, f"must be a non-empty mapping, got {describe(value)}", line)
        return None
    for key in value:
        if not isinstance(key, str) or not key:
            errors.add(where, f"names must be non-empty strings, got {describe(key)}", line_of(value, key, line))
    return data(value, where, errors, line)


def version(value: Any, where: Where, errors: Errors, line: int | None) -> None:
    """Only Workflow Language v2 exists; '2.0', 2.0 and 2 all name it."""
    ok = False
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        try:
            ok = float(value) == 2.0
        except (ValueError, OverflowError):  # not a number, or an int too big for a float
            ok = False
    if not ok:
        errors.add(where, f"unsupported version {describe(value)}; this language is version '2.0'", line)


def deep_update(into: dict[str, Any], other: dict[str, Any]) -> None:
    """Merge ``other`` into ``into``, nested mappings key by key (other wins), as Mistral merges input."""
    for key, value in other.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            into[key] = dict(into[key])
            deep_update(into[key], value)
        else:
            into[key] = value
