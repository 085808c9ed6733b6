"""`sirocco run`: one workflow, in this process, on the wall clock, with the real std actions.

The engine's simulation driver already plays the shell's part (events in,
commands out, sub-workflows, delayed calls); this module swaps its virtual
clock for the real one and runs actions on worker threads through the action
registry, so that parallel branches overlap and waits take real seconds.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sirocco.actions import ActionContext, ActionRegistry, Result, default_registry, run_action
from sirocco.engine import Catalog, RunAction
from sirocco.engine.simulation import ActionOutcome, Simulation
from sirocco.handlers.specs import signatures
from sirocco.language import Document


def catalog_for(document: Document, registry: ActionRegistry = default_registry) -> Catalog:
    """The engine's view of a document plus the registry's action signatures."""
    return Catalog.of(document.workflows, document.actions, signatures=signatures(registry))


class WallClockRun(Simulation):
    """A Simulation whose clock is time.time() and whose actions run on threads."""

    def __init__(self, specs: Catalog, registry: ActionRegistry = default_registry, workers: int = 16) -> None:
        super().__init__(specs, self._submit, start_time=time.time())
        self._registry = registry
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sirocco-action")
        self._finished: queue.Queue[tuple[str, str, Result]] = queue.Queue()
        self._in_flight = 0

    def _submit(self, command: RunAction, _sim: Simulation) -> ActionOutcome:
        execution_id = command.execution_id
        context = ActionContext(
            workflow_execution_id=execution_id,
            task_execution_id=command.task_id,
            action_execution_id=command.action_id,
            timeout=command.timeout,
            with_items_index=command.index,
        )

        def work() -> None:
            # Always answer, so that the run loop never waits for an action that died.
            try:
                result = run_action(command.name, command.input, context, registry=self._registry)
            except BaseException as exc:  # run_action means not to raise; never hang on it
                result = Result(error=f"the action runner failed: {type(exc).__name__}: {exc}")
            if result is not None:  # None: an async action, completed from outside
                self._finished.put((execution_id, command.action_id, result))
            else:
                self._finished.put((execution_id, "", Result()))

        self._in_flight += 1
        self._pool.submit(work)
        return ActionOutcome(pending=True)

    def run(self, max_steps: int = 1_000_000, until: float | None = None) -> None:
        """Apply due events as their time comes, until nothing is due or running."""
        try:
            while self.steps < max_steps:
                self._collect(block=False)
                now = time.time()
                if self._queue and self._queue[0].time <= now:
                    self.clock = now
                    super().run(max_steps=max_steps, until=now)
                    continue
                if not self._queue and not self._in_flight:
                    return
                wait = None if not self._queue else max(0.0, self._queue[0].time - now)
                self._collect(block=True, timeout=wait)
        finally:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def _collect(self, block: bool, timeout: float | None = None) -> None:
        try:
            item = self._finished.get(block=block, timeout=timeout)
        except queue.Empty:
            return
        while True:
            execution_id, action_id, result = item
            self._in_flight -= 1
            if action_id:
                self.clock = time.time()
                self.complete_action(execution_id, action_id, result=result.data,
                                     error=result.error, failed=result.is_error())
            try:
                item = self._finished.get_nowait()
            except queue.Empty:
                return


def run_workflow(document: Document, workflow: str, input: Mapping[str, Any] | None = None,
                 params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Run ``workflow`` of ``document`` to the end; the report `sirocco run --json` prints.

    Raises ``sirocco.engine.StartRefused`` when the execution cannot start.
    """
    run = WallClockRun(catalog_for(document))
    execution_id = run.start(workflow, dict(input or {}), dict(params or {}))
    run.run()
    header = run.header(execution_id)
    return {
        "state": header.state,
        "state_info": header.state_info,
        "output": header.output,
        "tasks": [{"name": t["name"], "state": t["state"], "state_info": t["state_info"],
                   "published": t["published"]} for t in run.tasks(execution_id)],
    }
