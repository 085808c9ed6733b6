"""Entry points: YAML text in, spec objects out, or ``ValidationFailed`` with every problem.

Nothing but ``ValidationFailed`` may escape: any input a user can upload,
however malformed, must come back as a readable refusal.
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

from . import checks
from .actions import parse_action
from .errors import Errors, ValidationFailed, Where
from .specs import ActionSpec, Document, WorkbookSpec, WorkflowSpec
from .workbooks import parse_workbook_value
from .workflows import parse_workflow
from .yaml_loader import YMap, line_of, load, no_gc

T = TypeVar("T")


def parse_workflows(text: str) -> tuple[WorkflowSpec, ...]:
    """A workflow list document: ``version: '2.0'`` plus one key per workflow."""
    return _run(text, _workflow_list)


def parse_actions(text: str) -> tuple[ActionSpec, ...]:
    """An ad-hoc action list document: ``version: '2.0'`` plus one key per action."""
    return _run(text, _action_list)


def parse_workbook(text: str) -> WorkbookSpec:
    return _run(text, _workbook)


def parse_document(text: str) -> Document:
    """Guess the kind of document (for the CLI): a workbook has a ``name``;
    an action list's entries have a ``base``; anything else is a workflow list.
    For a workbook, ``workflows`` and ``actions`` hold its members too."""

    def detect(root: YMap, errors: Errors) -> Document:
        if _looks_like_workbook(root):
            workbook = _workbook(root, errors)
            if workbook is None:
                return Document(kind="workbook")
            return Document(kind="workbook", workbook=workbook, workflows=workbook.workflows, actions=workbook.actions)
        if _looks_like_actions(root):
            return Document(kind="actions", actions=_action_list(root, errors))
        return Document(kind="workflows", workflows=_workflow_list(root, errors))

    return _run(text, detect)


def _looks_like_workbook(root: YMap) -> bool:
    return "name" in root and (
        isinstance(root["name"], str) or "workflows" in root or "actions" in root
    )


def _looks_like_actions(root: YMap) -> bool:
    entries = [value for key, value in root.items() if key != "version"]
    return bool(entries) and all(isinstance(v, dict) and "base" in v and "tasks" not in v for v in entries)


def _run(text: Any, build: Callable[[YMap, Errors], T]) -> T:
    with no_gc():
        try:
            return _validate(text, build)
        finally:
            checks.forget_expressions()


def _validate(text: Any, build: Callable[[YMap, Errors], T]) -> T:
    errors = Errors()
    try:
        root = load(text, errors)
        if not isinstance(root, YMap):
            what = "empty" if root is None else f"{checks.describe(root)}, not a mapping"
            errors.add(Where(), f"the document is {what}; expected a mapping starting with version: '2.0'", _line(root))
            errors.raise_if_any()
        _check_version(root, errors)
        result = build(root, errors)
    except ValidationFailed:
        raise
    except RecursionError:
        errors.add(Where(), "the document is nested too deeply", None)
    except Exception as exc:  # a bug of ours must still reach the user as a refusal
        errors.add(Where(), f"internal error while validating ({type(exc).__name__}: {exc}); please report it", None)
    errors.raise_if_any()
    return result


def _line(value: Any) -> int | None:
    return getattr(value, "line", None)


def _check_version(root: YMap, errors: Errors) -> None:
    if "version" not in root:
        errors.add(Where(attribute="version"), "missing; add version: '2.0' at the top of the document", root.line)
    else:
        checks.version(root["version"], Where(attribute="version"), errors, line_of(root, "version"))


def _entries(root: YMap, errors: Errors, what: str) -> list[tuple[str, Any, int | None]]:
    result = []
    refused = False
    for name, body in root.items():
        if name == "version":
            continue
        line = line_of(root, name)
        if not isinstance(name, str) or not name.strip():
            errors.add(Where(), f"a {what} name must be a non-empty string, got {checks.describe_name(name)}", line)
            refused = True
            continue
        result.append((name, body, line))
    if not result and not refused:
        errors.add(Where(), f"the document defines no {what}; add one below version: '2.0'", root.line)
    return result


def _workflow_list(root: YMap, errors: Errors) -> tuple[WorkflowSpec, ...]:
    specs = []
    for name, body, line in _entries(root, errors, "workflow"):
        spec = parse_workflow(name, body, Where(workflow=name), errors, line)
        if spec is not None:
            specs.append(spec)
    return tuple(specs)


def _action_list(root: YMap, errors: Errors) -> tuple[ActionSpec, ...]:
    specs = []
    for name, body, line in _entries(root, errors, "action"):
        spec = parse_action(name, body, Where(action=name), errors, line)
        if spec is not None:
            specs.append(spec)
    return tuple(specs)


def _workbook(root: YMap, errors: Errors) -> WorkbookSpec | None:
    return parse_workbook_value(root, errors)
