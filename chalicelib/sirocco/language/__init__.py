"""Workflow Language v2 (Mistral) parsed into immutable, validated spec objects.

Parse once at upload; the engine and the API work on the specs only. Every
entry point raises ``ValidationFailed`` (with ``.errors``, each a located
``SpecError``) listing all problems of the document.
"""

from .documents import parse_actions, parse_document, parse_workbook, parse_workflows
from .errors import SpecError, ValidationFailed
from .specs import (
    ENGINE_COMMANDS,
    ActionSpec,
    Document,
    FrozenDict,
    InputParam,
    PublishSpec,
    RetrySpec,
    TaskDefaultsSpec,
    TaskSpec,
    Transition,
    WithItem,
    WorkbookSpec,
    WorkflowSpec,
)

__all__ = [
    "ENGINE_COMMANDS",
    "ActionSpec",
    "Document",
    "FrozenDict",
    "InputParam",
    "PublishSpec",
    "RetrySpec",
    "SpecError",
    "TaskDefaultsSpec",
    "TaskSpec",
    "Transition",
    "ValidationFailed",
    "WithItem",
    "WorkbookSpec",
    "WorkflowSpec",
    "parse_actions",
    "parse_document",
    "parse_workbook",
    "parse_workflows",
]
