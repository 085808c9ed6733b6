"""Run one action the way Mistral's executor does, and always come back with a Result.

This is the executor side's single entry point (the Lambda on the executor queue and the
in-process ``sirocco run`` both call it): look the action up, check the input against its
signature, build it, run it, and turn every failure into ``Result(error=<text>)`` worded as
Mistral words it, so a task's ``state_info`` reads the same. Nothing here raises for a bad
action or bad input.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Mapping

from .base import ActionContext, ActionError, ActionTimeout, Result, seconds_text
from .registry import ActionDefinition, ActionRegistry
from .standard import default_registry

log = logging.getLogger(__name__)


def run_action(
    name: str,
    input: Mapping[str, Any] | None = None,
    ctx: ActionContext | None = None,
    *,
    registry: ActionRegistry | None = None,
) -> Result | None:
    """Run action ``name`` with ``input``; return its Result, or ``None`` for an asynchronous
    action that started well (it stays RUNNING until its result is delivered from outside).

    The result's data and error are plain JSON (a round trip through ``json``), so the engine
    sees the same values in process as after a queue hop. A run that ends after the context's
    deadline is an error ("Timeout after N seconds"), as in Mistral.
    """
    ctx = ctx or ActionContext()
    if input is not None and not isinstance(input, Mapping):
        return Result(error=f"Action input must be a mapping of parameter names to values, got {type(input).__name__}")
    try:
        definition = (registry or default_registry).get(name)
        definition.check_input(input)
    except ActionError as e:
        return Result(error=str(e))
    try:
        action = definition.build(input)
    except ActionError as e:
        return Result(error=str(e))
    except Exception as e:
        return Result(error=f"{type(e).__name__}: {e}")
    try:
        value = action.run(ctx)
        if ctx.expired():
            raise ActionTimeout(f"Timeout after {seconds_text(ctx.timeout)} seconds")
    except Exception as e:
        log.info("action %s failed [action_ex_id=%s]: %s", name, ctx.action_execution_id, type(e).__name__)
        return Result(error=_raised(definition, action, ctx, e))
    result = value if isinstance(value, Result) else Result(data=value)
    try:
        result = Result(_plain_json(result.data), _plain_json(result.error), result.cancel)
    except (TypeError, ValueError, RecursionError) as e:  # a set, NaN, or nesting json cannot hold
        return Result(
            error=f"Failed to complete action: its result is not JSON [action={_shown(definition, action)}, "
            f"action_ex_id={ctx.action_execution_id}]: {e}"
        )
    if not definition.is_sync and not result.is_error():
        return None
    return result


def _raised(definition: ActionDefinition, action: Any, ctx: ActionContext, error: Exception) -> str:
    return (
        f"The action raised an exception [action={_shown(definition, action)}, "
        f"action_ex_id={ctx.action_execution_id}, msg='{error}']"
    )


def _shown(definition: ActionDefinition, action: Any) -> str:
    """The action as Mistral names it in errors: its own ``__repr__`` if it has one (std.fail
    says 'Fail action'), else its registered name (Mistral would print an object address)."""
    if type(action).__repr__ is not object.__repr__:
        return repr(action)
    return definition.name


def _plain_json(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int)):
        return value
    return json.loads(json.dumps(value, allow_nan=False))
