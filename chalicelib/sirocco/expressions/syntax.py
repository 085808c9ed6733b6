"""``syntax_errors``: what the language layer reports at upload, before anything runs."""

from __future__ import annotations

from . import jinja_engine, patterns, yaql_engine
from .evaluate import MIXED_LANGUAGES


def syntax_errors(text: str) -> list[str]:
    """One message per problem with the expressions of a string; empty if all parse.

    Checks what Mistral checks at upload: each ``<% %>`` parses as YAQL, the whole
    string parses as a Jinja template when it has ``{{ }}`` or ``{% %}``, and a string
    does not mix both languages.
    """
    if not isinstance(text, str):
        return []
    errors: list[str] = []
    languages = patterns.languages_in(text)
    if len(languages) > 1:
        errors.append(MIXED_LANGUAGES)
    if patterns.YAQL in languages:
        for match in patterns.YAQL_PATTERN.finditer(text):
            cause = yaql_engine.parse_error(match.group(1))
            if cause is not None:
                errors.append(f"invalid YAQL expression {match.group(0)}: {cause}")
    if patterns.JINJA in languages:
        cause = jinja_engine.parse_error(text)
        if cause is not None:
            errors.append(f"invalid Jinja2 expression {text!r}: {cause}")
    return errors
