"""Ad-hoc actions: a base action with preset input, own input and an output transform."""

from __future__ import annotations

from typing import Any

from . import checks
from .errors import Errors, Where
from .inline import parse_inline
from .inputs import parse_input_params
from .specs import ActionSpec
from .yaml_loader import YMap, line_of

ATTRIBUTES = frozenset({"base", "base-input", "input", "output", "description", "tags", "version"})


def parse_action(
    name: str, body: Any, where: Where, errors: Errors, line: int | None, *, full_name: str | None = None
) -> ActionSpec | None:
    """``where`` already names the action (and workbook); ``line`` is the line of its key."""
    if not isinstance(body, YMap):
        errors.add(where, f"an ad-hoc action must be a mapping with 'base', got {checks.describe(body)}", line)
        return None
    checks.unknown_keys(body, ATTRIBUTES, where, errors, "an ad-hoc action")
    fields: dict[str, Any] = {}
    if "version" in body:
        checks.version(body["version"], where.at("version"), errors, line_of(body, "version"))
    if "base" not in body:
        errors.add(where, "'base' is required: the action this one builds on", line)
        return None
    base = body["base"]
    base_where = where.at("base")
    base_line = line_of(body, "base")
    if not isinstance(base, str) or not base.strip():
        errors.add(base_where, f"must be an action name with optional inline parameters, got {checks.describe(base)}", base_line)
        return None
    parsed = parse_inline(base)
    for problem in parsed.problems:
        errors.add(base_where, problem, base_line)
    if checks.is_expression(parsed.command):
        checks.check_string_expressions(parsed.command, base_where, errors, base_line)
    params = checks.data(parsed.params, base_where, errors, base_line)
    base_input: dict[str, Any] = {}
    if "base-input" in body:
        base_input = checks.named_mapping(body["base-input"], where.at("base-input"), errors, line_of(body, "base-input")) or {}
    checks.deep_update(base_input, params)
    if "input" in body:
        fields["input"] = parse_input_params(body["input"], where.at("input"), errors, line_of(body, "input"))
    if "output" in body:
        fields["output"] = checks.data(body["output"], where.at("output"), errors, line_of(body, "output"))
    if "description" in body:
        fields["description"] = checks.string(body["description"], where.at("description"), errors, line_of(body, "description"))
    if "tags" in body:
        fields["tags"] = checks.tags(body["tags"], where.at("tags"), errors, line_of(body, "tags"))
    return ActionSpec(
        name=full_name or name,
        short_name=name,
        workbook=where.workbook,
        base=parsed.command,
        base_input=base_input,
        line=line,
        **fields,
    )
