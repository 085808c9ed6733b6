"""Validation errors that point at the user's text.

Every check reports into an ``Errors`` collector instead of raising, so one
upload shows the user every problem of the document at once; the public
parse functions raise a single ``ValidationFailed`` at the end.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SpecError:
    """One problem, located by the names a user sees in the YAML and a 1-based line."""

    message: str
    workflow: str | None = None
    task: str | None = None
    attribute: str | None = None
    line: int | None = None
    action: str | None = None
    workbook: str | None = None

    def __str__(self) -> str:
        where = []
        if self.workbook is not None:
            where.append(f"workbook '{self.workbook}'")
        if self.action is not None:
            where.append(f"action '{self.action}'")
        if self.workflow is not None:
            where.append(f"workflow '{self.workflow}'")
        if self.task is not None:
            where.append(f"task '{self.task}'")
        if self.attribute is not None:
            where.append(self.attribute)
        text = f"{', '.join(where)}: {self.message}" if where else self.message
        return f"line {self.line}: {text}" if self.line is not None else text


class ValidationFailed(Exception):
    """A document was refused; ``errors`` lists every problem found, in line order."""

    def __init__(self, errors: list[SpecError]):
        self.errors = list(errors)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)

    def __reduce__(self):  # survives pickling (process pools, task queues)
        return (type(self), (self.errors,))


@dataclass(frozen=True, slots=True)
class Where:
    """The location context of a check: which workbook/workflow/action/task/attribute."""

    workbook: str | None = None
    workflow: str | None = None
    action: str | None = None
    task: str | None = None
    attribute: str | None = None

    def at(self, attribute: str | None) -> "Where":
        return Where(self.workbook, self.workflow, self.action, self.task, attribute)

    def sub(self, key: str) -> "Where":
        """Narrow to a nested attribute, e.g. ``retry`` -> ``retry.count``."""
        return self.at(f"{self.attribute}.{key}" if self.attribute else key)


class Errors:
    """Collects ``SpecError``s while a document is walked."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: list[SpecError] = []

    def add(self, where: Where, message: str, line: int | None) -> None:
        self.items.append(
            SpecError(
                message=message,
                workflow=where.workflow,
                task=where.task,
                attribute=where.attribute,
                line=line,
                action=where.action,
                workbook=where.workbook,
            )
        )

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            ordered = sorted(self.items, key=lambda e: e.line if e.line is not None else 0)
            raise ValidationFailed(ordered)
