"""The engine's ``SpecSource`` over the definitions table.

Workflows and ad-hoc actions are looked up by name in the execution's
namespace, then in the default namespace (Mistral's rule for sub-workflows),
in the execution's project (public definitions of other projects included).
Each lookup is one GetItem, remembered for the catalog's life (one engine
batch, one API request). Parsing is the expensive part and is cached per
process by the definition text's digest, so a warm Lambda parses a workflow
once. An execution's own workflow is read from the definition it started
with (``pinned``, persistence/pins.py), as Mistral keeps a running
execution's spec. A workbook's workflows and actions are read from the
workbook text they keep, by their full names. Registered actions'
signatures come from the action registry, so a task with a missing or
unexpected action input fails as in Mistral.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any, Mapping

from sirocco.actions import ActionRegistry, default_registry
from sirocco.engine import ActionSignature
from sirocco.language import (ActionSpec, ValidationFailed, WorkflowSpec, parse_actions, parse_workbook,
                              parse_workflows)

PARSED_CACHE_SIZE = 512

_parsed: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()
_parsed_lock = threading.Lock()


def _parse(kind: str, text: str) -> dict[str, Any]:
    """Name -> spec of a stored definition text (cached by digest)."""
    key = (kind, hashlib.sha256(text.encode("utf-8")).hexdigest())
    with _parsed_lock:
        found = _parsed.get(key)
        if found is not None:
            _parsed.move_to_end(key)
            return found
    try:
        specs = parse_workflows(text) if kind == "workflow" else parse_actions(text)
    except ValidationFailed as not_a_list:
        # a workbook's workflows and actions keep the whole workbook text (api/workbooks.py)
        try:
            book = parse_workbook(text)
        except ValidationFailed:
            raise not_a_list from None
        specs = book.workflows if kind == "workflow" else book.actions
    found = {spec.name: spec for spec in specs}
    with _parsed_lock:
        _parsed[key] = found
        while len(_parsed) > PARSED_CACHE_SIZE:
            _parsed.popitem(last=False)
    return found


_signatures: dict[tuple[int, int], Mapping[str, ActionSignature]] = {}


def signatures(registry: ActionRegistry = default_registry) -> Mapping[str, ActionSignature]:
    """The registered actions' parameters, as the engine checks them (cached
    per registry and number of actions)."""
    key = (id(registry), len(registry))
    found = _signatures.get(key)
    if found is None:
        found = _signatures[key] = _signatures_of(registry)
    return found


def _signatures_of(registry: ActionRegistry) -> Mapping[str, ActionSignature]:
    result = {}
    for name in registry.names():
        signature = registry.get(name).signature
        result[name] = ActionSignature(
            required=tuple(p.name for p in signature.params if p.required),
            optional=tuple(p.name for p in signature.params if not p.required),
            extra=signature.var_keyword is not None,
        )
    return result


class DefinitionCatalog:
    """``SpecSource`` for one execution: its project and namespace."""

    def __init__(self, definitions: Any, project_id: str, namespace: str = "",
                 registry: ActionRegistry = default_registry, pinned: Mapping[str, str] | None = None) -> None:
        self.definitions = definitions
        self.project_id = project_id
        self.namespace = namespace or ""
        self.signatures = signatures(registry)
        #: workflow name -> the definition text an execution started with (it wins over the table)
        self.pinned = dict(pinned or {})
        self._items: dict[tuple[str, str], Any] = {}

    def item(self, kind: str, name: str) -> Any | None:
        """The stored definition (PynamoDB item) of ``kind`` named ``name``."""
        key = (kind, name)
        if key not in self._items:
            found = None
            for namespace in dict.fromkeys([self.namespace, ""]):
                found = self.definitions.get(kind, name, namespace=namespace, project_id=self.project_id)
                if found is not None:
                    break
            self._items[key] = found
        return self._items[key]

    def workflow(self, name: str) -> WorkflowSpec | None:
        if name in self.pinned:
            return _parse("workflow", self.pinned[name]).get(name)
        item = self.item("workflow", name)
        if item is None or not item.definition:
            return None
        return _parse("workflow", item.definition).get(name)

    def action(self, name: str) -> ActionSpec | None:
        if name in self.signatures:  # a registered action is never looked up in the table
            return None
        item = self.item("action", name)
        if item is None or not item.definition:
            return None
        return _parse("action", item.definition).get(name)

    def action_signature(self, name: str) -> ActionSignature | None:
        return self.signatures.get(name)

    def workflow_id(self, name: str) -> str | None:
        item = self.item("workflow", name)
        return None if item is None else item.id
