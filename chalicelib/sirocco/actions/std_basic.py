"""The standard actions that do no I/O: std.noop, std.async_noop, std.echo, std.fail,
std.sleep and std.test_dict, with Mistral 23.0.0's parameters, defaults and results.

Waits go through ``ctx.sleep`` so that a task timeout cuts them short instead of holding an
executor (a Lambda, billed by the millisecond) past its deadline.
"""

from __future__ import annotations

from typing import Any, Mapping

from .base import Action, ActionContext, ActionError, Result

MAX_TEST_DICT_SIZE = 1_000_000


class NoOp(Action):
    """No-operation action.

    Does nothing and returns null; useful for testing and as a join or routing point.
    """

    @classmethod
    def runs_inline(cls, input: Mapping[str, Any]) -> bool:
        return True

    def run(self, ctx: ActionContext) -> None:
        return None


class AsyncNoOp(Action):
    """Asynchronous no-operation action.

    Starts nothing and stays RUNNING until its result is delivered from outside
    (PUT /v2/action_executions/<id>).
    """

    is_sync = False

    def run(self, ctx: ActionContext) -> None:
        return None


class Echo(Action):
    """Echo action.

    Returns ``output`` unchanged, after ``delay`` seconds: a stand-in while a workflow is being
    designed or tested. A delay that is not a number, or is negative, counts as 0 (as Mistral).
    """

    def __init__(self, output: Any, delay: Any = 0) -> None:
        self.output = output
        try:
            self.delay = max(0.0, float(delay))
        except ValueError:
            self.delay = 0.0

    @classmethod
    def runs_inline(cls, input: Mapping[str, Any]) -> bool:
        return not input.get("delay")  # a delay holds an executor, never the engine

    def run(self, ctx: ActionContext) -> Any:
        ctx.sleep(self.delay)
        return self.output


class Fail(Action):
    """'Always fail' action.

    With a truthy ``error_data`` the action fails with that value as its error result (a
    workflow reads it in on-error); otherwise it fails with "Fail action expected exception.".
    """

    def __init__(self, error_data: Any = None) -> None:
        self.error_data = error_data

    @classmethod
    def runs_inline(cls, input: Mapping[str, Any]) -> bool:
        return True

    def run(self, ctx: ActionContext) -> Result:
        if self.error_data:
            return Result(error=self.error_data)
        raise ActionError("Fail action expected exception.")

    def __repr__(self) -> str:
        # Mistral names this action so in "The action raised an exception [action=...]".
        return "Fail action"


class Sleep(Action):
    """Sleep action.

    Sleeps ``seconds`` (whole seconds: 2.7 sleeps 2, as Mistral truncates; text that is not
    an integer and negative values sleep 0) and returns null.
    """

    def __init__(self, seconds: Any = 1) -> None:
        try:
            self.seconds = max(0, int(seconds))
        except ValueError:
            self.seconds = 0

    def run(self, ctx: ActionContext) -> None:
        ctx.sleep(self.seconds)
        return None


class TestDict(Action):
    """Generates test dict.

    ``size`` keys named ``<key_prefix><i>`` (i from 0), each holding ``val``: a cheap way to
    make results of a chosen size.
    """

    __test__ = False  # not a pytest test class, despite its name

    def __init__(self, size: int = 0, key_prefix: str = "", val: Any = "") -> None:
        self.size = size
        self.key_prefix = key_prefix
        self.val = val

    def run(self, ctx: ActionContext) -> dict[str, Any]:
        if isinstance(self.size, int) and self.size > MAX_TEST_DICT_SIZE:
            # Mistral has no bound; one keeps a typo from exhausting an executor's memory.
            raise ActionError(f"size must be at most {MAX_TEST_DICT_SIZE}, got {self.size}")
        return {f"{self.key_prefix}{i}": self.val for i in range(self.size)}
