"""A workflow: its attributes, its tasks, and the checks that need all tasks at once
(transition targets, start tasks, joins, requires)."""

from __future__ import annotations

import difflib
import uuid
from typing import Any

from . import checks, transitions
from .errors import Errors, Where
from .inputs import parse_input_params
from .specs import FrozenDict, TaskDefaultsSpec, TaskSpec, WorkflowSpec
from .task_defaults import parse_task_defaults
from .tasks import MAX_NAME, ParsedTask, Resolver, _as_written, check_name, parse_task
from .yaml_loader import YMap, line_of

ATTRIBUTES = frozenset(
    {"type", "description", "tags", "input", "output", "output-on-error", "vars", "task-defaults", "tasks", "version"}
)
TYPES = ("direct", "reverse")


def parse_workflow(
    name: str,
    body: Any,
    where: Where,
    errors: Errors,
    line: int | None,
    *,
    full_name: str | None = None,
    resolve: Resolver = _as_written,
) -> WorkflowSpec | None:
    """``where`` already names the workflow (and workbook); ``line`` is the line of its key."""
    if _is_uuid_like(name):
        errors.add(where, "a workflow name cannot look like a UUID (it would be taken for an id)", line)
    if len(full_name or name) > MAX_NAME:
        errors.add(where, f"a workflow name must not be longer than {MAX_NAME} characters", line)
    if not isinstance(body, YMap):
        errors.add(where, f"a workflow must be a mapping with 'tasks', got {checks.describe(body)}", line)
        return None
    checks.unknown_keys(body, ATTRIBUTES, where, errors, "a workflow")

    wf_type = "direct"
    if "type" in body:
        if body["type"] in TYPES:
            wf_type = body["type"]
        else:
            errors.add(where.at("type"), f"must be 'direct' or 'reverse', got {checks.describe(body['type'])}", line_of(body, "type"))

    fields: dict[str, Any] = {}
    if "version" in body:
        checks.version(body["version"], where.at("version"), errors, line_of(body, "version"))
    if "description" in body:
        fields["description"] = checks.string(body["description"], where.at("description"), errors, line_of(body, "description"))
    if "tags" in body:
        fields["tags"] = checks.tags(body["tags"], where.at("tags"), errors, line_of(body, "tags"))
    if "input" in body:
        fields["input"] = parse_input_params(body["input"], where.at("input"), errors, line_of(body, "input"))
    for attribute in ("output", "output-on-error", "vars"):
        if attribute in body:
            value = checks.named_mapping(body[attribute], where.at(attribute), errors, line_of(body, attribute))
            if value is not None:
                fields[attribute.replace("-", "_")] = value

    defaults = None
    if "task-defaults" in body:
        defaults = parse_task_defaults(body["task-defaults"], wf_type, where, errors, line_of(body, "task-defaults"))
        fields["task_defaults"] = defaults

    parsed = _parse_tasks(body, wf_type, where, errors, defaults, resolve)
    if parsed is None:
        return None
    tasks = {p.spec.name: p.spec for p in parsed}
    if wf_type == "direct":
        fields.update(_direct_graph(parsed, tasks, body, where, errors, defaults, line))
    else:
        fields["requires"] = FrozenDict(_reverse_graph(parsed, tasks, body, where, errors, defaults))
    return WorkflowSpec(
        name=full_name or name,
        short_name=name,
        workbook=where.workbook,
        type=wf_type,
        tasks=FrozenDict(tasks),
        line=line,
        **fields,
    )


def _parse_tasks(
    body: YMap, wf_type: str, where: Where, errors: Errors, defaults: TaskDefaultsSpec | None, resolve: Resolver
) -> list[ParsedTask] | None:
    if "tasks" not in body:
        errors.add(where, "has no 'tasks'", body.line)
        return None
    raw = body["tasks"]
    line = line_of(body, "tasks")
    if not isinstance(raw, YMap) or not raw:
        errors.add(where.at("tasks"), f"must be a non-empty mapping of task names to tasks, got {checks.describe(raw)}", line)
        return None
    result = []
    for name, task_body in raw.items():
        task_line = line_of(raw, name)
        if not isinstance(name, str) or not name:
            errors.add(where.at("tasks"), f"a task name must be a non-empty string, got {checks.describe_name(name)}", task_line)
            continue
        task_where = Where(workbook=where.workbook, workflow=where.workflow, task=name)
        check_name(name, task_where, errors, task_line)
        if not isinstance(task_body, YMap) or not task_body:
            errors.add(
                task_where,
                f"a task must be a non-empty mapping (e.g. action: std.noop), got {checks.describe(task_body)}",
                task_line,
            )
            continue
        result.append(parse_task(name, task_body, wf_type, task_where, errors, defaults, resolve, task_line))
    return result


def _missing(target: str, tasks: dict[str, TaskSpec], error_budget: list[int]) -> str:
    message = f"task '{target}' does not exist"
    if error_budget[0] > 0:
        error_budget[0] -= 1
        close = difflib.get_close_matches(target, list(tasks), n=1)
        if close:
            message += f"; did you mean '{close[0]}'?"
    return message


def _shadowed(command: str) -> str:
    # Mistral runs the engine command here and never the task of the same name.
    return (
        f"'{command}' is the engine command, not the task named '{command}' "
        "(Mistral would run the command): rename the task"
    )


def _direct_graph(
    parsed: list[ParsedTask],
    tasks: dict[str, TaskSpec],
    body: YMap,
    where: Where,
    errors: Errors,
    defaults: TaskDefaultsSpec | None,
    line: int | None,
) -> dict[str, Any]:
    budget = [20]  # suggestions cost a scan of all names; offer a few only
    for p in parsed:
        task_where = Where(workbook=where.workbook, workflow=where.workflow, task=p.spec.name)
        for clause, transition in p.written:
            if transition.kind == "task" and transition.target not in tasks:
                errors.add(task_where.at(clause), _missing(transition.target, tasks, budget), transition.line)
            elif transition.kind != "task" and transition.target in tasks:
                errors.add(task_where.at(clause), _shadowed(transition.target), transition.line)
    if defaults is not None:
        for clause in transitions.CLAUSES:
            for transition in getattr(defaults, clause.replace("-", "_")):
                if transition.kind == "task" and transition.target not in tasks:
                    errors.add(where.at(f"task-defaults.{clause}"), _missing(transition.target, tasks, budget), transition.line)
                elif transition.kind != "task" and transition.target in tasks:
                    errors.add(where.at(f"task-defaults.{clause}"), _shadowed(transition.target), transition.line)

    inbound: dict[str, dict[str, None]] = {name: {} for name in tasks}
    for spec in tasks.values():
        for transition in spec.transitions():
            if transition.kind == "task" and transition.target in inbound:
                inbound[transition.target][spec.name] = None
    start = tuple(name for name, sources in inbound.items() if not sources)
    if tasks and not start:
        errors.add(
            where.at("tasks"),
            "no start task: every task is the target of a transition, so nothing would run first",
            line_of(body, "tasks", line),
        )
    for p in parsed:
        spec = p.spec
        join = spec.join
        if join is None:
            continue
        count = len(inbound[spec.name])
        needed = 1 if join in ("all", "one") else join
        if count < needed:
            task_where = Where(workbook=where.workbook, workflow=where.workflow, task=spec.name, attribute="join")
            if join == "all":
                message = "'all' needs at least one inbound task, but no transition leads here"
            else:
                message = f"{join!r} needs at least {needed} inbound task(s), but only {count} lead here"
            errors.add(task_where, message, p.join_line)
    return {
        "start_tasks": start,
        "inbound": FrozenDict({name: tuple(sources) for name, sources in inbound.items()}),
    }


def _reverse_graph(
    parsed: list[ParsedTask],
    tasks: dict[str, TaskSpec],
    body: YMap,
    where: Where,
    errors: Errors,
    defaults: TaskDefaultsSpec | None,
) -> dict[str, tuple[str, ...]]:
    budget = [20]
    inherited = set(defaults.requires) if defaults is not None else set()
    for required in sorted(inherited):
        if required not in tasks:
            task_defaults = body.get("task-defaults")
            errors.add(
                where.at("task-defaults.requires"),
                _missing(required, tasks, budget),
                line_of(task_defaults, "requires", line_of(body, "task-defaults")),
            )
    for p in parsed:
        task_where = Where(workbook=where.workbook, workflow=where.workflow, task=p.spec.name, attribute="requires")
        for required in p.spec.requires:
            if required not in tasks and required not in inherited:
                errors.add(task_where, _missing(required, tasks, budget), p.requires_line)
    requires = {name: spec.requires for name, spec in tasks.items()}
    cycle = _requires_cycle(requires)
    if cycle:
        first = next(p for p in parsed if p.spec.name == cycle[0])
        errors.add(
            Where(workbook=where.workbook, workflow=where.workflow, task=cycle[0], attribute="requires"),
            "tasks require each other in a cycle (" + " -> ".join(cycle + [cycle[0]]) + "), so none could run",
            first.requires_line,
        )
    return requires


def _requires_cycle(requires: dict[str, tuple[str, ...]]) -> list[str]:
    """One cycle of ``requires`` (task names in order), or [] if there is none.

    Mistral accepts such a workflow and runs nothing; a cycle is always a mistake.
    Iterative depth-first search, so a long chain cannot overflow the stack.
    """
    done: set[str] = set()
    for root in requires:
        if root in done:
            continue
        path: list[str] = []
        on_path: set[str] = set()
        stack = [(root, iter(requires.get(root, ())))]
        path.append(root)
        on_path.add(root)
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                on_path.discard(node)
                done.add(node)
            elif child == node:
                continue  # requiring itself is reported on its own
            elif child in on_path:
                return path[path.index(child):]
            elif child not in done and child in requires:
                stack.append((child, iter(requires[child])))
                path.append(child)
                on_path.add(child)
    return []


def _is_uuid_like(name: str) -> bool:
    try:
        value = uuid.UUID(name)
    except (ValueError, TypeError, AttributeError):
        return False
    plain = name.lower().replace("urn:", "").replace("uuid:", "").strip("{}").replace("-", "")
    return value.hex == plain
