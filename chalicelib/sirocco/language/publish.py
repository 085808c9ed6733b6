"""Publishing: the plain ``publish:`` attributes and the scoped ``publish`` of on-* clauses.

A task can say what to publish in two places: ``publish`` / ``publish-on-error``
/ ``publish-on-skip`` (always the branch scope) and the dict form of an on-*
clause (``branch``, ``global``, ``atomic``). The engine wants one answer per
outcome, so they are merged here once.
"""

from __future__ import annotations

from typing import Any

from . import checks
from .errors import Errors, Where
from .specs import PublishSpec
from .yaml_loader import YMap, line_of

SCOPES = ("branch", "global", "atomic")


def parse_scoped(value: Any, where: Where, errors: Errors, line: int | None) -> PublishSpec | None:
    """``publish: {branch: {...}, global: {...}, atomic: {...}}`` of an on-* dict form."""
    if not isinstance(value, dict) or not value:
        errors.add(where, f"must be a mapping with branch, global and/or atomic, got {checks.describe(value)}", line)
        return None
    if isinstance(value, YMap):
        checks.unknown_keys(value, set(SCOPES), where, errors, "publish")
    scopes = {}
    for scope in SCOPES:
        if scope in value:
            scopes[scope] = checks.named_mapping(value[scope], where.sub(scope), errors, line_of(value, scope, line)) or {}
    return PublishSpec(
        branch=scopes.get("branch", {}), global_=scopes.get("global", {}), atomic=scopes.get("atomic", {})
    )


def merged(branch: dict[str, Any] | None, on_complete: PublishSpec | None, on_state: PublishSpec | None) -> PublishSpec | None:
    """What to publish for one outcome.

    Precedence follows Mistral (engine's get_publish): per scope and key, the
    on-complete clause beats the plain attribute, which beats the on-<state>
    clause. Nested mappings merge key by key.
    """
    parts = [p for p in (on_state, PublishSpec(branch=branch) if branch else None, on_complete) if p]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    result: dict[str, dict[str, Any]] = {"branch": {}, "global_": {}, "atomic": {}}
    for part in parts:
        checks.deep_update(result["branch"], part.branch)
        checks.deep_update(result["global_"], part.global_)
        checks.deep_update(result["atomic"], part.atomic)
    return PublishSpec(**result)

