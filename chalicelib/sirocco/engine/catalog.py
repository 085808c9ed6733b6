"""Where the engine finds specs: workflows (for sub-workflows), ad-hoc
actions, and the signatures of registered actions (to refuse a missing or
unknown input when a task starts, as Mistral does)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, Protocol

from sirocco.language import ActionSpec, WorkflowSpec


@dataclass(frozen=True, slots=True)
class ActionSignature:
    """Parameters of a registered action: ``required`` names, ``optional``
    names, and whether other names are accepted (``**kwargs``)."""

    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    extra: bool = False


class SpecSource(Protocol):
    def workflow(self, name: str) -> WorkflowSpec | None: ...

    def action(self, name: str) -> ActionSpec | None: ...

    def action_signature(self, name: str) -> ActionSignature | None:
        """The registered action ``name``'s parameters; None if there is no such action."""


@dataclass
class Catalog:
    """A plain in-memory ``SpecSource``. ``signatures`` None means every
    registered action name is accepted with any input."""

    workflows: dict[str, WorkflowSpec] = field(default_factory=dict)
    actions: dict[str, ActionSpec] = field(default_factory=dict)
    signatures: Mapping[str, ActionSignature] | None = None

    @classmethod
    def of(cls, *groups: Iterable[WorkflowSpec | ActionSpec],
           signatures: Mapping[str, ActionSignature] | None = None) -> "Catalog":
        cat = cls(signatures=signatures)
        for group in groups:
            cat.add(group)
        return cat

    def add(self, specs: Iterable[WorkflowSpec | ActionSpec]) -> "Catalog":
        for spec in specs:
            if isinstance(spec, WorkflowSpec):
                self.workflows[spec.name] = spec
            else:
                self.actions[spec.name] = spec
        return self

    def workflow(self, name: str) -> WorkflowSpec | None:
        return self.workflows.get(name)

    def action(self, name: str) -> ActionSpec | None:
        return self.actions.get(name)

    def action_signature(self, name: str) -> ActionSignature | None:
        if self.signatures is None:
            return ActionSignature(extra=True)
        return self.signatures.get(name)
