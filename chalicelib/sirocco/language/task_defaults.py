"""``task-defaults``: policies, safe-rerun and transitions every task inherits.

Mistral allows policies, safe-rerun, the four on-* clauses and requires here
(not join, publish, keep-result or target). On-* clauses only make sense in a
direct workflow and requires only in a reverse one; Mistral silently ignores
the misplaced ones, here they are refused. A ``publish`` inside an on-* dict
form of task-defaults is accepted but, as in Mistral, never used: only the
``next`` part is inherited.
"""

from __future__ import annotations

from typing import Any

from . import checks, policies, transitions
from .errors import Errors, Where
from .specs import TaskDefaultsSpec
from .tasks import parse_requires
from .yaml_loader import YMap, line_of

COMMON = frozenset({"retry", "safe-rerun", *policies.POLICIES})
ALLOWED = {
    "direct": COMMON | set(transitions.CLAUSES),
    "reverse": COMMON | {"requires"},
}


def parse_task_defaults(value: Any, wf_type: str, where: Where, errors: Errors, line: int | None) -> TaskDefaultsSpec | None:
    where = where.at("task-defaults")
    if not isinstance(value, YMap) or not value:
        errors.add(where, f"must be a non-empty mapping, got {checks.describe(value)}", line)
        return None
    allowed = ALLOWED[wf_type]
    for key in value:
        if key in allowed:
            continue
        key_line = line_of(value, key)
        if key in transitions.CLAUSES:
            errors.add(where.sub(str(key)), "is only allowed in direct workflows (this workflow is reverse)", key_line)
        elif key == "requires":
            errors.add(where.sub(str(key)), "is only allowed in reverse workflows (this workflow is direct)", key_line)
        else:
            errors.add(
                where.sub(str(key)),
                f"not allowed in task-defaults; allowed: {', '.join(sorted(allowed))}",
                key_line,
            )
    fields: dict[str, Any] = {}
    for attribute, (field_name, check) in policies.POLICIES.items():
        if attribute in value:
            fields[field_name] = check(value[attribute], where.sub(attribute), errors, line_of(value, attribute))
    if "retry" in value:
        fields["retry"] = policies.parse_retry(value["retry"], where.sub("retry"), errors, line_of(value, "retry"))
    if "safe-rerun" in value:
        fields["safe_rerun"] = checks.bool_or_expression(
            value["safe-rerun"], where.sub("safe-rerun"), errors, line_of(value, "safe-rerun")
        )
    if wf_type == "direct":
        for clause in transitions.clause_keys(value):
            parsed = transitions.parse_clause(value[clause], where.sub(clause), errors, line_of(value, clause))
            fields[clause.replace("-", "_")] = parsed.transitions
    elif "requires" in value:
        fields["requires"] = parse_requires(value["requires"], where.sub("requires"), errors, line_of(value, "requires"))
    return TaskDefaultsSpec(**fields)
