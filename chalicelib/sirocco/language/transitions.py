"""on-success / on-error / on-complete / on-skip clauses.

Accepted shapes (Mistral v2): a task name; a list of names and one-key
guarded entries ``{t2: <% cond %>}``; a single guarded entry; or the dict form
``{publish: {...}, next: <any of the above>}``. An entry may be an engine
command: ``fail``/``succeed``/``pause`` (optionally ``msg="..."`` inline, or
the function form ``fail(msg="...")``) or ``noop``. Whether a task target
exists is checked by the workflow, which knows all task names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from . import checks
from .errors import Errors, Where
from .inline import parse_inline
from .publish import parse_scoped
from .specs import ENGINE_COMMANDS, PublishSpec, Transition
from .yaml_loader import YMap, line_of

CLAUSES = ("on-success", "on-error", "on-complete", "on-skip")
_FUNCTION_FORM = re.compile(r"(\w+)\((.*)\)\s*\Z", re.DOTALL)
_DICT_FORM_KEYS = frozenset({"publish", "next"})
_COMMAND_PARAMS = {"fail": {"msg"}, "succeed": {"msg"}, "pause": {"msg"}, "noop": set()}


@dataclass(frozen=True, slots=True)
class OnClause:
    transitions: tuple[Transition, ...] = ()
    publish: PublishSpec | None = None


def parse_clause(value: Any, where: Where, errors: Errors, line: int | None) -> OnClause:
    if isinstance(value, dict) and ("publish" in value or "next" in value):
        if isinstance(value, YMap):
            checks.unknown_keys(value, _DICT_FORM_KEYS, where, errors, "the dict form (publish, next)")
        publish = None
        if "publish" in value:
            publish = parse_scoped(value["publish"], where.sub("publish"), errors, line_of(value, "publish", line))
        transitions: tuple[Transition, ...] = ()
        if "next" in value:
            transitions = _next(value["next"], where.sub("next"), errors, line_of(value, "next", line))
        return OnClause(transitions, publish)
    return OnClause(_next(value, where, errors, line))


def _next(value: Any, where: Where, errors: Errors, line: int | None) -> tuple[Transition, ...]:
    if isinstance(value, str):
        entry = _entry(value, None, where, errors, line)
        return (entry,) if entry else ()
    if isinstance(value, dict):
        entry = _guarded(value, where, errors, line)
        return (entry,) if entry else ()
    if isinstance(value, list):
        if not value:
            errors.add(where, "must not be an empty list", line)
            return ()
        result: list[Transition] = []
        seen: set[tuple[str, str | None, str]] = set()
        for i, item in enumerate(value):
            item_line = line_of(value, i, line)
            if isinstance(item, str):
                entry = _entry(item, None, where, errors, item_line)
            elif isinstance(item, dict):
                entry = _guarded(item, where, errors, item_line)
            else:
                errors.add(where, f"each entry must be a task name or {{task: <% condition %>}}, got {checks.describe(item)}", item_line)
                continue
            if entry is None:
                continue
            key = (entry.target, entry.condition, repr(entry.msg))
            if key in seen:
                errors.add(where, f"{entry.target!r} is listed twice", item_line)
                continue
            seen.add(key)
            result.append(entry)
        return tuple(result)
    errors.add(where, f"must be a task name, a list of them or a mapping, got {checks.describe(value)}", line)
    return ()


def _guarded(value: dict, where: Where, errors: Errors, line: int | None) -> Transition | None:
    if len(value) != 1:
        errors.add(where, "a guarded entry must have exactly one task: <% condition %> pair", line)
        return None
    (text, condition), = value.items()
    entry_line = line_of(value, text, line) if isinstance(value, YMap) else line
    if not isinstance(text, str):
        errors.add(where, f"a transition target must be a task name, got {checks.describe(text)}", entry_line)
        return None
    cond = checks.expression(condition, where, errors, entry_line)
    if cond is None:
        return None
    return _entry(text, cond, where, errors, entry_line)


def _entry(text: str, condition: str | None, where: Where, errors: Errors, line: int | None) -> Transition | None:
    function = _FUNCTION_FORM.match(text.strip())
    if function and function.group(1) in ENGINE_COMMANDS:
        text = f"{function.group(1)} {function.group(2)}"
    parsed = parse_inline(text)
    target = parsed.command
    if not target:
        errors.add(where, "a transition target must be a non-empty task name", line)
        return None
    if checks.is_expression(target) or "<%" in target or "{{" in target:
        errors.add(where, f"a transition target must be a task name, not an expression: {target!r}", line)
        return None
    for problem in parsed.problems:
        errors.add(where, f"{target!r}: {problem}", line)
    if target in ENGINE_COMMANDS:
        allowed = _COMMAND_PARAMS[target]
        for key in parsed.params:
            if key not in allowed:
                hint = "takes no parameters" if not allowed else "takes only msg"
                errors.add(where, f"engine command '{target}' {hint}, got {key!r}", line)
        msg = checks.data(parsed.params.get("msg"), where, errors, line, "msg")
        return Transition(kind=target, target=target, condition=condition, msg=msg, line=line)
    if parsed.params:
        errors.add(where, f"a transition to task {target!r} takes no parameters, got {', '.join(parsed.params)}", line)
    return Transition(kind="task", target=target, condition=condition, line=line)


def effective(own: tuple[Transition, ...], defaults: tuple[Transition, ...], task_name: str) -> tuple[Transition, ...]:
    """A task's own clause wins whole; otherwise task-defaults' clause minus any
    transition to the task itself (Mistral's rule)."""
    if own or not defaults:
        return own
    return tuple(t for t in defaults if not (t.kind == "task" and t.target == task_name))


def clause_keys(mapping: YMap) -> list[str]:
    return [key for key in CLAUSES if key in mapping]
