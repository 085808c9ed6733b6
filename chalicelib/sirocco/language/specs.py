"""Immutable spec objects: what the engine and the API consume instead of YAML.

Structure is frozen (dataclasses with slots, tuples, read-only mappings).
User data carried along (input values, publish, output, vars, defaults) is
kept as plain JSON-like dicts and lists so that it can be stored and handed to
the expression evaluator as is; treat it as read-only and copy before changing.

Policy values are kept raw: an int/bool, or an expression string that the
engine evaluates when the task runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Mapping, NamedTuple



class FrozenDict(dict):
    """A dict that refuses changes. Unlike MappingProxyType it pickles and
    serialises to JSON as a plain mapping, so specs can be cached or shipped."""

    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("spec mappings are read-only")

    __setitem__ = __delitem__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]
    __ior__ = _refuse  # type: ignore[assignment]

    def __reduce__(self):
        return (FrozenDict, (dict(self),))

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self.items()))


EMPTY_MAPPING: Mapping[str, Any] = FrozenDict()

TransitionKind = Literal["task", "fail", "succeed", "pause", "noop"]
ENGINE_COMMANDS: frozenset[str] = frozenset({"fail", "succeed", "pause", "noop"})


@dataclass(frozen=True, slots=True)
class InputParam:
    """A declared input of a workflow or ad-hoc action; ``required`` when it has no default."""

    name: str
    default: Any = None
    required: bool = True


@dataclass(frozen=True, slots=True)
class Transition:
    """One entry of an on-success/on-error/on-complete/on-skip clause.

    ``kind`` is 'task' (``target`` is a task of the same workflow) or an engine
    command ('fail', 'succeed', 'pause', 'noop'; ``target`` is the command name).
    ``condition`` is an expression or None (always). ``msg`` is the optional
    message of fail/succeed/pause (text or an expression).
    """

    kind: TransitionKind
    target: str
    condition: str | None = None
    msg: Any = None
    line: int | None = None

    @property
    def params(self) -> dict[str, Any]:
        return {"msg": self.msg} if self.msg is not None else {}


@dataclass(frozen=True, slots=True)
class PublishSpec:
    """Variables to publish after a task ends: into the branch context, the
    workflow-global context, or atomically into the global context."""

    branch: dict[str, Any] = field(default_factory=dict)
    global_: dict[str, Any] = field(default_factory=dict)
    atomic: dict[str, Any] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.branch or self.global_ or self.atomic)


@dataclass(frozen=True, slots=True)
class RetrySpec:
    count: int | str
    delay: int | str
    break_on: str | None = None
    continue_on: str | None = None


class WithItem(NamedTuple):
    """``var in source``: source is an expression string or a literal list.
    A plain tuple too, so ``for var, source in task.with_items`` works."""

    var: str
    source: str | list[Any]


@dataclass(frozen=True, slots=True)
class TaskDefaultsSpec:
    """``task-defaults`` as written (already folded into every TaskSpec; kept for reference)."""

    retry: RetrySpec | None = None
    wait_before: int | str | None = None
    wait_after: int | str | None = None
    timeout: int | str | None = None
    pause_before: bool | str | None = None
    concurrency: int | str | None = None
    fail_on: bool | str | None = None
    safe_rerun: bool | str | None = None
    on_success: tuple[Transition, ...] = ()
    on_error: tuple[Transition, ...] = ()
    on_complete: tuple[Transition, ...] = ()
    on_skip: tuple[Transition, ...] = ()
    requires: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """One task with task-defaults applied.

    ``action`` is the action name as written ('std.noop' when the task names
    neither an action nor a workflow); ``workflow`` the sub-workflow name as
    written. ``resolved_name`` is the name to look up: inside a workbook a short name that
    matches a member of the workbook is resolved to ``<workbook>.<name>``.
    Either may be an expression, evaluated at run time.

    ``input`` merges the inline parameters over ``input:`` (inline wins, as in
    Mistral); it is an expression string when ``input:`` is one.

    ``publish``/``publish_on_error``/``publish_on_skip`` are what to publish
    when the task ends in SUCCESS/ERROR/SKIPPED, merged from the plain
    attribute and the ``publish`` of the on-* dict forms.
    """

    name: str
    action: str | None = None
    workflow: str | None = None
    resolved_name: str = "std.noop"
    input: dict[str, Any] | str = field(default_factory=dict)
    description: str | None = None
    tags: tuple[str, ...] = ()
    publish: PublishSpec | None = None
    publish_on_error: PublishSpec | None = None
    publish_on_skip: PublishSpec | None = None
    on_success: tuple[Transition, ...] = ()
    on_error: tuple[Transition, ...] = ()
    on_complete: tuple[Transition, ...] = ()
    on_skip: tuple[Transition, ...] = ()
    join: Literal["all", "one"] | int | None = None
    requires: tuple[str, ...] = ()
    with_items: tuple[WithItem, ...] = ()
    concurrency: int | str | None = None
    retry: RetrySpec | None = None
    wait_before: int | str | None = None
    wait_after: int | str | None = None
    timeout: int | str | None = None
    pause_before: bool | str | None = None
    fail_on: bool | str | None = None
    keep_result: bool | str = True
    safe_rerun: bool | str = False
    target: str | None = None
    line: int | None = None

    @property
    def kind(self) -> Literal["action", "workflow"]:
        return "workflow" if self.workflow is not None else "action"

    def transitions(self) -> tuple[Transition, ...]:
        return self.on_success + self.on_error + self.on_complete + self.on_skip


@dataclass(frozen=True, slots=True)
class WorkflowSpec:
    """A workflow, validated, with the graph facts the engine needs precomputed.

    ``tasks`` keeps document order. For a direct workflow ``start_tasks`` are
    the tasks no transition leads to, and ``inbound[t]`` the distinct tasks
    having a transition to ``t`` (what a join waits for). For a reverse
    workflow ``requires[t]`` (also on each TaskSpec) is what ``t`` needs first.
    Inside a workbook ``name`` is ``<workbook>.<short name>``.
    """

    name: str
    type: Literal["direct", "reverse"] = "direct"
    description: str | None = None
    tags: tuple[str, ...] = ()
    input: tuple[InputParam, ...] = ()
    output: dict[str, Any] = field(default_factory=dict)
    output_on_error: dict[str, Any] = field(default_factory=dict)
    vars: dict[str, Any] = field(default_factory=dict)
    task_defaults: TaskDefaultsSpec | None = None
    tasks: Mapping[str, TaskSpec] = field(default_factory=lambda: EMPTY_MAPPING)
    start_tasks: tuple[str, ...] = ()
    inbound: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: EMPTY_MAPPING)
    requires: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: EMPTY_MAPPING)
    workbook: str | None = None
    short_name: str = ""
    line: int | None = None

    @property
    def input_names(self) -> tuple[str, ...]:
        return tuple(param.name for param in self.input)


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """An ad-hoc action: ``base`` called with ``base_input`` (inline base parameters
    merged over ``base-input:``, inline wins) after ``input`` is bound; ``output``
    transforms the base action's result."""

    name: str
    base: str
    base_input: dict[str, Any] = field(default_factory=dict)
    input: tuple[InputParam, ...] = ()
    output: Any = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    workbook: str | None = None
    short_name: str = ""
    line: int | None = None

    @property
    def input_names(self) -> tuple[str, ...]:
        return tuple(param.name for param in self.input)


@dataclass(frozen=True, slots=True)
class WorkbookSpec:
    name: str
    description: str | None = None
    tags: tuple[str, ...] = ()
    workflows: tuple[WorkflowSpec, ...] = ()
    actions: tuple[ActionSpec, ...] = ()


@dataclass(frozen=True, slots=True)
class Document:
    """What ``parse_document`` found: kind is 'workflows', 'actions' or 'workbook'
    (then ``workflows``/``actions`` are the workbook's members)."""

    kind: Literal["workflows", "actions", "workbook"]
    workflows: tuple[WorkflowSpec, ...] = ()
    actions: tuple[ActionSpec, ...] = ()
    workbook: WorkbookSpec | None = None
