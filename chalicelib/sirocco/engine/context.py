"""The context chain and the expression runtime over the execution state.

A task's inbound context is its parents' outbound contexts merged (one parent
normally, every arrival for a join); its outbound context is the inbound one
plus its own published variables. Records hold only their published vars and
their parents; every ``SNAPSHOT_EVERY`` generations a task stores its whole
inbound context (``base``), so computing one merges at most that many small
dicts. Input and vars are not part of the chain (as in Mistral, where the
final context of a workflow holds only what was published); expressions see
them underneath it.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from sirocco.expressions import ExpressionError, evaluate, has_expressions

from .records import TaskRecord

if TYPE_CHECKING:
    from .session import Session

#: a walk up the chain reads up to this many task records (one GetItem each when the engine
#: loads lazily); more than the store's LAZY_MISSES_BEFORE_QUERY would read every task instead
SNAPSHOT_EVERY = 4
EMPTY: dict[str, Any] = {}


_STAMPS: dict[int, str] = {}


def stamp(t: float) -> str:
    """Mistral's timestamp text for an event time (no clock read); whole
    seconds, remembered (notifications stamp the same few seconds often)."""
    seconds = int(t // 1)
    text = _STAMPS.get(seconds)
    if text is None:
        if len(_STAMPS) >= 4096:
            _STAMPS.clear()
        text = _STAMPS[seconds] = datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    return text


def link(session: "Session", task: TaskRecord, parents: tuple[str, ...]) -> None:
    """Attach ``task`` to its parents (a tuple, never changed in place: a join
    is linked again when it runs again); take a snapshot when the chain is
    long, or when a parent is a join: a join's context and published values
    change when it runs again, and the tasks its earlier runs started must
    keep the context they started with (``pin``)."""
    task.parents = parents
    session.ctx_cache.pop(task.id, None)
    depth = 0
    pin = False
    for pid in parents:
        parent = session.state.tasks[pid]
        depth = max(depth, parent.depth + 1)
        pin = pin or parent.arrived is not None
    if pin or depth >= SNAPSHOT_EVERY or not parents:
        task.base = inbound(session, task) if parents else EMPTY
        task.depth = 0
    else:
        task.base = None
        task.depth = depth


def pin(session: "Session", task: TaskRecord) -> bool:
    """Store ``task``'s inbound context in it (a snapshot), so that it no
    longer depends on its parents' records. True if it changed."""
    if task.base is not None:
        return False
    task.base = inbound(session, task)
    task.depth = 0
    return True


def inbound(session: "Session", task: TaskRecord) -> dict[str, Any]:
    if task.base is not None:
        return task.base
    parents = task.parents
    if len(parents) == 1:
        return outbound(session, session.state.tasks[parents[0]])
    merged: dict[str, Any] = {}
    for pid in parents:
        merged.update(outbound(session, session.state.tasks[pid]))
    return merged


def outbound(session: "Session", task: TaskRecord) -> dict[str, Any]:
    cache = session.ctx_cache
    hit = cache.get(task.id)
    if hit is not None and hit[0] is task.published:
        return hit[1]
    base = inbound(session, task)
    ctx = {**base, **task.published} if task.published else base
    cache[task.id] = (task.published, ctx)
    return ctx


def task_info(session: "Session", task: TaskRecord) -> dict[str, Any]:
    """``task()``'s dict for a task execution (Mistral 23.0.0's keys)."""
    return {
        "id": task.id,
        "name": task.name,
        "spec": {"name": task.name},
        "state": task.state,
        "state_info": task.state_info,
        "result": task.result,
        "published": task.published,
        "type": task.kind,
        "workflow_execution_id": session.header.id,
        "created_at": stamp(task.created_at),
        "updated_at": stamp(task.updated_at) if task.updated_at else None,
    }


def execution_info(session: "Session") -> dict[str, Any]:
    h = session.header
    return {
        "id": h.id,
        "name": h.workflow,
        "spec": {"name": h.workflow},
        "input": h.input,
        "params": h.params,
        "created_at": stamp(h.created_at),
        "updated_at": stamp(h.updated_at),
        "root_execution_id": h.root_execution_id,
    }


class EngineRuntime:
    """Answers ``task()``, ``tasks()``, ``execution()``, ``env()``, ``global()``
    and ``uuid()`` from the execution state. ``tasks()`` is scoped to this
    execution (Mistral 23.0.0 lists every execution's tasks: a deliberate
    difference, see docs/engine.md)."""

    __slots__ = ("session", "current")

    def __init__(self, session: "Session", current: TaskRecord | None) -> None:
        self.session = session
        self.current = current

    def task(self, name: str | None = None) -> dict[str, Any] | None:
        cur = self.current
        if cur is not None and (not name or cur.name == name):
            return task_info(self.session, cur)
        if not name:
            return None
        tid = self.session.header.last_task.get(name)
        return task_info(self.session, self.session.state.tasks[tid]) if tid else None

    def tasks(self, workflow_execution_id: str | None = None, recursive: bool = False,
              state: str | None = None, flat: bool = False) -> list[dict[str, Any]]:
        if workflow_execution_id and workflow_execution_id != self.session.header.id:
            return []
        return [task_info(self.session, t) for t in self.session.state.task_list()
                if state is None or t.state == state]

    def execution(self) -> dict[str, Any]:
        return execution_info(self.session)

    def executions(self, id: str | None = None, root_execution_id: str | None = None, state: str | None = None,
                   from_time: str | None = None, to_time: str | None = None) -> list[dict[str, Any]]:
        info = execution_info(self.session)
        if id is not None and id != info["id"]:
            return []
        if root_execution_id is not None and root_execution_id != info["root_execution_id"]:
            return []
        if state is not None and state != self.session.header.state:
            return []
        return [info]

    def env(self) -> dict[str, Any]:
        return self.session.header.params.get("env") or {}

    def global_var(self, name: str) -> Any:
        return self.session.header.vars.get(name)

    def new_uuid(self) -> str:
        return self.session.new_id()


def data_for(session: "Session", ctx: dict[str, Any], task: TaskRecord | None) -> dict[str, Any]:
    """What ``$`` / ``_`` see: input, then vars, then the published chain."""
    h = session.header
    data = {**h.input, **h.vars, **ctx}
    data["__execution"] = {"id": h.id, "params": h.params, "input": h.input}
    data["__env"] = h.params.get("env") or {}
    if task is not None:
        data["__task_execution"] = {"id": task.id, "name": task.name}
    return data


# ---- what an expression reads

_IDENT = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def reads(text: str) -> frozenset[str] | None:
    """The top-level data names a string's expressions read, when each ``$``
    in it is ``$.name`` (not ``$.name(...)``, a method on the whole data);
    None when they may read the whole data (a bare ``$``, ``$.get(...)``,
    ``$1``, Jinja's ``_``). Only these names need to be in the data: YAQL
    evaluation converts all the data it is given (Mistral converts the whole
    context), so giving it the names read keeps the cost of an evaluation to
    what it reads (``<% $.x %>`` for each with-items item no longer copies a
    large list of the context). Same values: ``$.name`` of a missing name is
    missing either way."""
    if "{{" in text or "{%" in text:
        return None
    names: set[str] = set()
    end = len(text)
    i = text.find("$")
    while i >= 0:
        j = i + 1
        if j >= end or text[j] != ".":
            return None
        j += 1
        k = j
        while k < end and text[k] in _IDENT:
            k += 1
        if k == j or text[j].isdigit() or (k < end and text[k].isalnum()):
            return None  # not a plain ASCII name (a non-ASCII letter follows)
        m = k
        while m < end and text[m] in " \t":
            m += 1
        if m < end and text[m] == "(":
            return None
        names.add(text[j:k])
        i = text.find("$", k)
    return frozenset(names)


_NO_NAMES: frozenset[str] = frozenset()
_ALL = None


def _analyse(value: Any) -> tuple[bool, frozenset[str] | None]:
    """(holds an expression, the names its expressions read or None for all)."""
    if isinstance(value, str):
        if "<%" not in value and "{{" not in value and "{%" not in value:
            return False, _NO_NAMES
        return True, reads(value)
    if isinstance(value, dict):
        items = value.values()
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        return has_expressions(value), _ALL
    found = False
    names: set[str] | None = set()
    for item in items:
        has, read = _analyse(item)
        found = found or has
        if has and names is not None:
            if read is None:
                names = None
            else:
                names |= read
    return found, (frozenset(names) if names is not None else None)


_ANALYSED: dict[Any, tuple[Any, bool, frozenset[str] | None]] = {}


def analysed(value: Any) -> tuple[bool, frozenset[str] | None]:
    """``_analyse`` remembered: strings by value, containers by identity (they
    are spec values: task input, publish, output, which never change), so a
    task's input is walked once, not at every launch."""
    text = isinstance(value, str)
    if not value or (text and "<%" not in value and "{{" not in value and "{%" not in value) \
            or isinstance(value, (bool, int, float)):
        return False, _NO_NAMES
    key: Any = value if text else id(value)
    hit = _ANALYSED.get(key)
    if hit is not None and (text or hit[0] is value):
        return hit[1], hit[2]
    found, names = _analyse(value)
    if len(_ANALYSED) >= 4096:
        _ANALYSED.clear()
    _ANALYSED[key] = (value, found, names)  # holds value: an id is not reused meanwhile
    return found, names


def _data_reading(session: "Session", ctx: dict[str, Any], task: TaskRecord | None,
                  extra: dict[str, Any] | None, names: frozenset[str]) -> dict[str, Any]:
    """``data_for`` (plus ``extra``) restricted to ``names``, same precedence."""
    h = session.header
    data: dict[str, Any] = {}
    for name in names:
        if extra and name in extra:
            data[name] = extra[name]
        elif name == "__execution":
            data[name] = {"id": h.id, "params": h.params, "input": h.input}
        elif name == "__env":
            data[name] = h.params.get("env") or {}
        elif name == "__task_execution" and task is not None:
            data[name] = {"id": task.id, "name": task.name}
        elif name in ctx:
            data[name] = ctx[name]
        elif name in h.vars:
            data[name] = h.vars[name]
        elif name in h.input:
            data[name] = h.input[name]
    return data


def ev(session: "Session", value: Any, ctx: dict[str, Any], task: TaskRecord | None,
       extra: dict[str, Any] | None = None) -> Any:
    """Evaluate ``value`` (raises ``ExpressionError``); plain data is returned
    as is. ``extra`` (a with-items item's variables) lies over the context."""
    found, names = analysed(value)
    if not found:
        return value
    if names is None:
        data = data_for(session, ctx, task)
        if extra:
            data.update(extra)
    else:
        data = _data_reading(session, ctx, task, extra, names)
    return evaluate(value, data, EngineRuntime(session, task))


__all__ = ["ExpressionError", "ev", "reads", "inbound", "outbound", "link", "pin", "task_info", "stamp", "EngineRuntime"]
