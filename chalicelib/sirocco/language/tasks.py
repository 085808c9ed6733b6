"""One task of a workflow, validated and with task-defaults folded in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from . import checks, policies, publish, transitions
from .errors import Errors, Where
from .inline import parse_inline
from .specs import TaskDefaultsSpec, TaskSpec, Transition
from .with_items import parse_with_items
from .yaml_loader import YMap, line_of

MAX_NAME = 255
# Mistral derives a lock name from a join task's name and caps it shorter.
MAX_JOIN_NAME = MAX_NAME - 47

COMMON = frozenset(
    {
        "action", "workflow", "input", "description", "tags",
        "publish", "publish-on-error", "publish-on-skip",
        "with-items", "keep-result", "safe-rerun", "target", "retry",
    }
    | set(policies.POLICIES)
)
DIRECT_ONLY = frozenset({"join", *transitions.CLAUSES})
REVERSE_ONLY = frozenset({"requires"})
ALLOWED = {"direct": COMMON | DIRECT_ONLY, "reverse": COMMON | REVERSE_ONLY}

# (kind, name as written) -> name to look up; identity outside workbooks.
Resolver = Callable[[str, str], str]


def _as_written(kind: str, name: str) -> str:
    return name


def check_name(name: str, where: Where, errors: Errors, line: int | None) -> None:
    if len(name) > MAX_NAME:
        errors.add(where, f"a task name must not be longer than {MAX_NAME} characters", line)
    if not name.strip():
        errors.add(where, "a task name must not be blank", line)


@dataclass(frozen=True, slots=True)
class ParsedTask:
    """The spec plus what the workflow needs to point its link errors at the right line."""

    spec: TaskSpec
    written: tuple[tuple[str, Transition], ...]  # (clause, transition) as written on the task
    requires_line: int | None
    join_line: int | None


def parse_task(
    name: str,
    body: YMap,
    wf_type: str,
    where: Where,
    errors: Errors,
    defaults: TaskDefaultsSpec | None,
    resolve: Resolver = _as_written,
    line: int | None = None,
) -> ParsedTask:
    """``line`` is the line of the task's name."""
    _check_attributes(body, wf_type, where, errors)

    fields: dict[str, Any] = {}
    params: dict[str, Any] = {}
    if "action" in body and "workflow" in body:
        errors.add(where.at("workflow"), "a task names either an action or a workflow, not both", line_of(body, "workflow"))
    for kind in ("action", "workflow"):
        if kind in body:
            command, params = _command(body[kind], where.at(kind), errors, line_of(body, kind))
            if command is not None:
                fields[kind] = command
                fields["resolved_name"] = command if checks.is_expression(command) else resolve(kind, command)
            break
    else:
        fields["action"] = "std.noop"
        fields["resolved_name"] = "std.noop"

    fields["input"] = _input(body, params, where, errors)

    if "description" in body:
        fields["description"] = checks.string(body["description"], where.at("description"), errors, line_of(body, "description"))
    if "tags" in body:
        fields["tags"] = checks.tags(body["tags"], where.at("tags"), errors, line_of(body, "tags"))

    plain_publish = {}
    for attribute in ("publish", "publish-on-error", "publish-on-skip"):
        if attribute in body:
            plain_publish[attribute] = checks.named_mapping(
                body[attribute], where.at(attribute), errors, line_of(body, attribute)
            )

    own: dict[str, transitions.OnClause] = {}
    for clause in transitions.clause_keys(body):
        if wf_type == "direct":
            own[clause] = transitions.parse_clause(body[clause], where.at(clause), errors, line_of(body, clause))

    empty = transitions.OnClause()
    complete_publish = own.get("on-complete", empty).publish
    fields["publish"] = publish.merged(plain_publish.get("publish"), complete_publish, own.get("on-success", empty).publish)
    fields["publish_on_error"] = publish.merged(
        plain_publish.get("publish-on-error"), complete_publish, own.get("on-error", empty).publish
    )
    fields["publish_on_skip"] = publish.merged(
        plain_publish.get("publish-on-skip"), complete_publish, own.get("on-skip", empty).publish
    )

    for clause in transitions.CLAUSES:
        field_name = clause.replace("-", "_")
        mine = own.get(clause, empty).transitions
        inherited = getattr(defaults, field_name) if defaults is not None else ()
        fields[field_name] = transitions.effective(mine, inherited, name)

    if "join" in body and wf_type == "direct":
        fields["join"] = _join(body["join"], name, where.at("join"), errors, line_of(body, "join"))

    if "requires" in body and wf_type == "reverse":
        fields["requires"] = parse_requires(body["requires"], where.at("requires"), errors, line_of(body, "requires"))
    own_requires = fields.get("requires", ())
    if name in own_requires:
        errors.add(where.at("requires"), "a task cannot require itself", line_of(body, "requires"))
    if defaults is not None and defaults.requires:
        merged = list(own_requires)
        merged += [r for r in defaults.requires if r not in merged]
        fields["requires"] = tuple(r for r in merged if r != name)

    if "with-items" in body:
        fields["with_items"] = parse_with_items(body["with-items"], where.at("with-items"), errors, line_of(body, "with-items"))

    own_policies = policies.parse_policies(body, where, errors)
    for field_name in ("wait_before", "wait_after", "timeout", "concurrency", "pause_before", "fail_on", "retry"):
        default = getattr(defaults, field_name) if defaults is not None else None
        fields[field_name] = policies.with_default(own_policies.get(field_name), default)

    if "keep-result" in body:
        keep = checks.bool_or_expression(body["keep-result"], where.at("keep-result"), errors, line_of(body, "keep-result"))
        if keep is not None:
            fields["keep_result"] = keep
    safe_rerun = None
    if "safe-rerun" in body:
        safe_rerun = checks.bool_or_expression(body["safe-rerun"], where.at("safe-rerun"), errors, line_of(body, "safe-rerun"))
    if safe_rerun is None and defaults is not None:
        safe_rerun = defaults.safe_rerun
    if safe_rerun is not None:
        fields["safe_rerun"] = safe_rerun
    if "target" in body:
        fields["target"] = checks.string(body["target"], where.at("target"), errors, line_of(body, "target"), expression_ok=True)

    written = tuple((clause, t) for clause, parsed in own.items() for t in parsed.transitions)
    return ParsedTask(
        TaskSpec(name=name, line=line, **fields), written, line_of(body, "requires", line), line_of(body, "join", line)
    )


def _check_attributes(body: YMap, wf_type: str, where: Where, errors: Errors) -> None:
    allowed = ALLOWED[wf_type]
    for key in body:
        if key in allowed:
            continue
        line = line_of(body, key)
        if key in DIRECT_ONLY:
            errors.add(where.at(str(key)), "is only allowed in direct workflows (this workflow is reverse)", line)
        elif key in REVERSE_ONLY:
            errors.add(where.at(str(key)), "is only allowed in reverse workflows (this workflow is direct)", line)
        else:
            errors.add(where.at(str(key)), f"unknown task attribute; allowed: {', '.join(sorted(allowed))}", line)


def _command(value: Any, where: Where, errors: Errors, line: int | None) -> tuple[str | None, dict[str, Any]]:
    if not isinstance(value, str) or not value.strip():
        errors.add(where, f"must be a name with optional inline parameters, got {checks.describe(value)}", line)
        return None, {}
    parsed = parse_inline(value)
    for problem in parsed.problems:
        errors.add(where, problem, line)
    if checks.is_expression(parsed.command):
        checks.check_string_expressions(parsed.command, where, errors, line)
    params = checks.data(parsed.params, where, errors, line)
    return parsed.command, params


def _input(body: YMap, params: dict[str, Any], where: Where, errors: Errors) -> dict[str, Any] | str:
    if "input" not in body:
        return params
    value = body["input"]
    line = line_of(body, "input")
    where = where.at("input")
    if isinstance(value, str) and checks.is_expression(value):
        checks.check_string_expressions(value, where, errors, line)
        if params:
            errors.add(
                where,
                "is an expression, so inline parameters cannot be merged into it; move them into the expression",
                line,
            )
        return value
    if not isinstance(value, dict) or not value:
        errors.add(where, f"must be a non-empty mapping or an expression, got {checks.describe(value)}", line)
        return params
    written = checks.named_mapping(value, where, errors, line) or {}
    checks.deep_update(written, params)
    return written


def _join(value: Any, name: str, where: Where, errors: Errors, line: int | None) -> str | int | None:
    if len(name) > MAX_JOIN_NAME:
        errors.add(where, f"the name of a join task must not be longer than {MAX_JOIN_NAME} characters", line)
    if value in ("all", "one"):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value or None
    errors.add(where, f"must be 'all', 'one' or a number of inbound tasks, got {checks.describe(value)}", line)
    return None


def parse_requires(value: Any, where: Where, errors: Errors, line: int | None) -> tuple[str, ...]:
    if isinstance(value, str) and value:
        return (value,)
    if isinstance(value, list) and value:
        result: list[str] = []
        for i, item in enumerate(value):
            item_line = line_of(value, i, line)
            if not isinstance(item, str) or not item:
                errors.add(where, f"each entry must be a task name, got {checks.describe(item)}", item_line)
            elif item in result:
                errors.add(where, f"{item!r} is listed twice", item_line)
            else:
                result.append(item)
        return tuple(result)
    errors.add(where, f"must be a task name or a list of them, got {checks.describe(value)}", line)
    return ()
