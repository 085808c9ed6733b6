"""Helpers for the language tests: parse a dedented document, or collect its errors."""

from __future__ import annotations

import textwrap

import pytest

from sirocco.language import (
    SpecError,
    ValidationFailed,
    WorkflowSpec,
    parse_actions,
    parse_workbook,
    parse_workflows,
)


def doc(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def workflow(text: str) -> WorkflowSpec:
    """The only workflow of a workflow-list document."""
    (spec,) = parse_workflows(doc(text))
    return spec


def errors(text: str, parse=parse_workflows) -> list[SpecError]:
    with pytest.raises(ValidationFailed) as info:
        parse(doc(text))
    assert info.value.errors, "ValidationFailed without errors"
    return info.value.errors


def one_error(text: str, parse=parse_workflows) -> SpecError:
    found = errors(text, parse)
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


def messages(text: str, parse=parse_workflows) -> str:
    return "\n".join(str(e) for e in errors(text, parse))


__all__ = ["doc", "workflow", "errors", "one_error", "messages", "parse_actions", "parse_workbook", "parse_workflows"]
