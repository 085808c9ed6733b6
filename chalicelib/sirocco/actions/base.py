"""What an action receives and returns: its context, its result, its failure.

These mirror mistral_lib's ``ActionContext``, ``Result`` and ``ActionException`` so that a
Mistral action ports with few changes, but they are plain data: an executor Lambda builds the
context from a queue message and sends the result back as JSON.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, fields
from typing import Any, ClassVar, Mapping


class ActionError(Exception):
    """An action failed without a result worth keeping (Mistral's ``ActionException``).

    The runner turns it, like any other exception, into an error result whose text names
    the action and this message.
    """


class ActionTimeout(ActionError):
    """The action ran past its context's deadline."""


@dataclass(frozen=True)
class Result:
    """An action's outcome: ``data`` on success, ``error`` (any JSON value) on failure.

    Returning ``Result(error=...)`` instead of raising lets a workflow read the error value
    (an HTTP status, say) in ``on-error`` and ``publish-on-error``, as in Mistral. ``cancel``
    marks an action cancelled from outside.
    """

    data: Any = None
    error: Any = None
    cancel: bool = False

    def is_cancel(self) -> bool:
        return self.cancel

    def is_error(self) -> bool:
        return self.error is not None and not self.cancel

    def is_success(self) -> bool:
        return not self.is_error() and not self.cancel

    def to_dict(self) -> dict[str, Any]:
        """The JSON form Mistral stores as an action execution's ``output``."""
        return {"result": self.data if self.is_success() else self.error}


@dataclass
class ActionContext:
    """Where an action runs: ids of its execution, and how long it may take.

    ``timeout`` is the number of seconds the action may run, counted from ``started`` (a
    ``time.monotonic()`` reading taken when the context is built on the executor); ``None``
    means no limit. Blocking actions bound their waits with ``remaining()`` or ``sleep()`` so
    that a task timeout or a Lambda's end is honoured instead of overrun.
    ``callback_url`` is where an asynchronous action's result is to be sent from outside
    (Mistral's ``PUT /v2/action_executions/<id>``).
    """

    workflow_execution_id: str | None = None
    task_execution_id: str | None = None
    action_execution_id: str | None = None
    task_name: str | None = None
    workflow_name: str | None = None
    callback_url: str | None = None
    timeout: float | None = None
    with_items_index: int = 0
    started: float = field(default_factory=time.monotonic)

    def to_dict(self) -> dict[str, Any]:
        """The context as JSON for a queue message; ``started`` stays behind (it is a local
        monotonic reading: the receiver starts its own clock)."""
        data = asdict(self)
        del data["started"]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ActionContext:
        """Rebuild a context from ``to_dict()`` output; unknown keys are ignored, the clock starts now."""
        names = {f.name for f in fields(cls)} - {"started"}
        return cls(**{k: v for k, v in data.items() if k in names})

    @property
    def deadline(self) -> float | None:
        """The ``time.monotonic()`` value after which the action is late, or ``None``."""
        return None if self.timeout is None else self.started + self.timeout

    def remaining(self) -> float | None:
        """Seconds left before the deadline (never negative), or ``None`` for no limit."""
        deadline = self.deadline
        return None if deadline is None else max(0.0, deadline - time.monotonic())

    def expired(self) -> bool:
        deadline = self.deadline
        return deadline is not None and time.monotonic() >= deadline

    def bound(self, seconds: float | None) -> float | None:
        """``seconds`` cut down to what is left before the deadline (``None`` = unbounded)."""
        left = self.remaining()
        if left is None:
            return seconds
        return left if seconds is None else min(seconds, left)

    def sleep(self, seconds: float) -> None:
        """Sleep, but raise ``ActionTimeout`` rather than sleep past the deadline."""
        left = self.remaining()
        if left is not None and seconds > left:
            time.sleep(left)
            raise ActionTimeout(f"Timeout after {seconds_text(self.timeout)} seconds")
        if seconds > 0:
            time.sleep(seconds)


class Action:
    """Base for class actions, shaped like Mistral's: ``__init__`` takes the input as keyword
    arguments (its signature is the action's input), ``run(ctx)`` does the work and returns a
    JSON value or a ``Result``, or raises.

    ``is_sync = False`` marks an asynchronous action: what ``run`` returns is ignored unless it
    is an error, and the action stays RUNNING until its result is delivered from outside.
    """

    is_sync: ClassVar[bool] = True

    @classmethod
    def runs_inline(cls, input: Mapping[str, Any]) -> bool:
        """True when a run with ``input`` is pure, instant and cannot hang, so the engine may
        run it inside its own batch instead of sending it to an executor (handlers/inline.py)."""
        return False

    def run(self, ctx: ActionContext) -> Any:  # pragma: no cover - always overridden
        raise NotImplementedError


def seconds_text(value: float | None) -> str:
    """Show 5.0 as 5, as Mistral's integer timeouts read."""
    if value is not None and float(value).is_integer():
        return str(int(value))
    return str(value)
