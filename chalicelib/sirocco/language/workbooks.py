"""Workbooks: a named bundle of workflows and ad-hoc actions.

Members are registered as ``<workbook>.<name>``. Inside the workbook, a task
may use the short name of a member; Mistral looks the member up first at run
time, and since the members are known at upload the name is resolved here.
"""

from __future__ import annotations

import re
from typing import Any

from . import checks
from .actions import parse_action
from .errors import Errors, Where
from .specs import ActionSpec, WorkbookSpec, WorkflowSpec
from .workflows import parse_workflow
from .yaml_loader import YMap, line_of

ATTRIBUTES = frozenset({"version", "name", "description", "tags", "workflows", "actions"})
_MEMBER_NAME = re.compile(r"[\w-]+\Z")


def parse_workbook_value(root: YMap, errors: Errors) -> WorkbookSpec | None:
    """``root`` is the loaded document (a mapping whose version was checked)."""
    top = Where()
    checks.unknown_keys(root, ATTRIBUTES, top, errors, "a workbook")
    name = None
    if "name" not in root:
        errors.add(top.at("name"), "a workbook needs a name", root.line)
    else:
        name = checks.string(root["name"], top.at("name"), errors, line_of(root, "name"))
    where = Where(workbook=name if name is not None else "?")
    fields: dict[str, Any] = {}
    if "description" in root:
        fields["description"] = checks.string(root["description"], where.at("description"), errors, line_of(root, "description"))
    if "tags" in root:
        fields["tags"] = checks.tags(root["tags"], where.at("tags"), errors, line_of(root, "tags"))

    sections = {section: _members(root, section, where, errors) for section in ("workflows", "actions")}
    prefix = f"{name}." if name else ""
    action_names = {member for member, _, _ in sections["actions"]}
    workflow_names = {member for member, _, _ in sections["workflows"]}

    def resolve(kind: str, written: str) -> str:
        members = action_names if kind == "action" else workflow_names
        return prefix + written if written in members else written

    workflows: list[WorkflowSpec] = []
    for member, body, line in sections["workflows"]:
        spec = parse_workflow(
            member, body, Where(workbook=where.workbook, workflow=member), errors, line,
            full_name=prefix + member, resolve=resolve,
        )
        if spec is not None:
            workflows.append(spec)
    actions: list[ActionSpec] = []
    for member, body, line in sections["actions"]:
        action = parse_action(member, body, Where(workbook=where.workbook, action=member), errors, line, full_name=prefix + member)
        if action is not None:
            actions.append(action)
    if name is None:
        return None
    return WorkbookSpec(name=name, workflows=tuple(workflows), actions=tuple(actions), **fields)


def _members(root: YMap, section: str, where: Where, errors: Errors) -> list[tuple[str, Any, int | None]]:
    if section not in root:
        return []
    value = root[section]
    line = line_of(root, section)
    if not isinstance(value, YMap) or not value:
        errors.add(where.at(section), f"must be a non-empty mapping of names to definitions, got {checks.describe(value)}", line)
        return []
    result = []
    for member, body in value.items():
        member_line = line_of(value, member)
        if member == "version":
            checks.version(body, where.at(f"{section}.version"), errors, member_line)
            continue
        if not isinstance(member, str) or not _MEMBER_NAME.match(member):
            errors.add(
                where.at(section),
                f"a member name may hold only letters, digits, '_' and '-', got {checks.describe(member)}",
                member_line,
            )
            continue
        result.append((member, body, member_line))
    return result
