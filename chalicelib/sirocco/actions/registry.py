"""The action registry: name → definition, so new actions plug in without touching the engine.

The engine only names actions in its RunAction commands; the executor side looks the name up
here, checks the input against the signature and runs it (see ``runner.py``). An action is
either a class shaped like Mistral's (``__init__`` takes the input, ``run(ctx)`` works) or a
function taking the context first and the input as keyword arguments.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping

from .base import Action, ActionContext, ActionError
from .signature import Signature, parse_spec, signature_of

ActionImpl = type | Callable[..., Any]


class UnknownActionError(ActionError, LookupError):
    """No action is registered under that name (Mistral's wording)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"Failed to find action [action_name={name}]")
        self.name = name


class ActionInputError(ActionError, ValueError):
    """The input does not fit the signature; the message names the parameters, as Mistral's."""

    def __init__(self, name: str, class_name: str, missing: list[str], unexpected: list[str]) -> None:
        text = f"Invalid input [name={name}, class={class_name}"
        if missing:
            text += f", missing={missing}"
        if unexpected:
            text += f", unexpected={unexpected}"
        super().__init__(text + "]")
        self.missing = missing
        self.unexpected = unexpected


@dataclass(frozen=True)
class ActionInfo:
    """What the REST API shows for an action (``GET /v2/actions``)."""

    name: str
    input: str
    description: str
    is_sync: bool

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "input": self.input, "description": self.description, "is_sync": self.is_sync}


class _FunctionAction:
    """A function action bound to its input, so both kinds run as ``obj.run(ctx)``."""

    __slots__ = ("_fn", "_input", "_name")

    def __init__(self, fn: Callable[..., Any], name: str, given: dict[str, Any]) -> None:
        self._fn, self._name, self._input = fn, name, given

    def run(self, ctx: ActionContext) -> Any:
        return self._fn(ctx, **self._input)

    def __repr__(self) -> str:
        return self._name


@dataclass(frozen=True)
class ActionDefinition:
    """One registered action: its name, signature, description and how to build it."""

    name: str
    impl: ActionImpl
    signature: Signature
    description: str
    is_sync: bool
    class_name: str

    @property
    def input(self) -> str:
        """Mistral's input string, e.g. ``output, delay=0``."""
        return self.signature.spec

    def info(self) -> ActionInfo:
        return ActionInfo(self.name, self.input, self.description, self.is_sync)

    def check_input(self, given: Mapping[str, Any] | None) -> None:
        """Raise ``ActionInputError`` naming missing and unexpected parameters."""
        missing, unexpected = self.signature.compare(given)
        if missing or unexpected:
            raise ActionInputError(self.name, self.class_name, missing, unexpected)

    def build(self, given: Mapping[str, Any] | None) -> Any:
        """An object with ``run(ctx)``, made from checked input."""
        kwargs = dict(given or {})
        if isinstance(self.impl, type):
            return self.impl(**kwargs)
        return _FunctionAction(self.impl, self.name, kwargs)


class ActionRegistry:
    """Actions by name. ``register`` at import time; ``get`` on every run."""

    def __init__(self) -> None:
        self._defs: dict[str, ActionDefinition] = {}

    def register(
        self,
        name: str,
        action: ActionImpl,
        *,
        description: str | None = None,
        is_sync: bool | None = None,
        input: str | None = None,
        replace: bool = False,
    ) -> ActionDefinition:
        """Register a class action (``Action`` subclass or any class with ``run(ctx)``) or a
        function action (``fn(ctx, **input)``).

        ``input`` overrides the signature read from the code with Mistral's input string, for
        an action that takes ``**kwargs`` but wants to show (and check) named parameters.
        Registering a taken name is an error unless ``replace`` is true.
        """
        if not isinstance(name, str) or not name or any(c.isspace() for c in name):
            raise ValueError(f"an action name must be a non-empty string without spaces, got {name!r}")
        if name in self._defs and not replace:
            raise ValueError(f"action {name!r} is already registered")
        if isinstance(action, type):
            if not callable(getattr(action, "run", None)):
                raise TypeError(f"{action.__qualname__} has no run(ctx) method")
            signature = signature_of(action.__init__, skip_first=True) if action.__init__ is not object.__init__ else Signature()
            sync = getattr(action, "is_sync", True)
        elif callable(action):
            signature = signature_of(action, skip_first=True)
            sync = True
        else:
            raise TypeError(f"an action must be a class or a function, got {action!r}")
        if input is not None:
            signature = parse_spec(input)
        if is_sync is not None:
            sync = is_sync
        if not isinstance(sync, bool):
            raise TypeError(f"{name}: is_sync must be a bool attribute, got {sync!r}")
        definition = ActionDefinition(
            name=name,
            impl=action,
            signature=signature,
            description=_description(action) if description is None else description,
            is_sync=sync,
            class_name=f"{action.__module__}.{action.__qualname__}",
        )
        self._defs[name] = definition
        return definition

    def action(self, name: str, **options: Any) -> Callable[[ActionImpl], ActionImpl]:
        """Decorator form of ``register``; returns the class or function unchanged."""

        def decorate(impl: ActionImpl) -> ActionImpl:
            self.register(name, impl, **options)
            return impl

        return decorate

    def remove(self, name: str) -> None:
        self._defs.pop(name, None)

    def get(self, name: str) -> ActionDefinition:
        try:
            return self._defs[name]
        except KeyError:
            raise UnknownActionError(name) from None

    def runs_inline(self, name: str, input: Mapping[str, Any] | None) -> bool:
        """Whether the engine may run this action in its own batch (``Action.runs_inline``; never
        an asynchronous one, whose result comes from outside)."""
        definition = self._defs.get(name)
        if definition is None or not definition.is_sync:
            return False
        check = getattr(definition.impl, "runs_inline", None)
        return bool(check is not None and isinstance(input, Mapping) and check(input))

    def names(self) -> list[str]:
        return sorted(self._defs)

    def describe(self, name: str) -> ActionInfo:
        return self.get(name).info()

    def describe_all(self) -> list[ActionInfo]:
        return [self._defs[n].info() for n in self.names()]

    def check_input(self, name: str, given: Mapping[str, Any] | None) -> None:
        self.get(name).check_input(given)

    def copy(self) -> ActionRegistry:
        """A registry with the same actions, to extend without changing this one."""
        clone = ActionRegistry()
        clone._defs = dict(self._defs)
        return clone

    def __contains__(self, name: object) -> bool:
        return name in self._defs

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._defs)


def _description(impl: ActionImpl) -> str:
    """The implementation's own docstring, cleaned; never one inherited from a base class."""
    doc = impl.__dict__.get("__doc__") if isinstance(impl, type) else impl.__doc__
    if not doc or (isinstance(impl, type) and doc == Action.__doc__):
        return ""
    return inspect.cleandoc(doc)
