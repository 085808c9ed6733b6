"""The executor queues' handler: run each action, send its result to the engine.

Each record is a ``RunAction`` command. The action runs through
``sirocco.actions.run_action`` with an ``ActionContext`` built from the
message (its ``timeout`` honoured, and cut to the Lambda's remaining time);
the records of a batch run on threads, side by side. Each result goes to the
engine queue as ``ActionCompleted`` whose id is derived from the action id, so
a repeated delivery of the same command (SQS standard queues deliver at least
once) produces a message the FIFO queue drops, or the engine ignores.
An asynchronous action (``run_action`` returns None) sends nothing: its result
comes later through the API. Action functions (``fn.<name>``, Lambdas of
``functions/``) are registry actions like the others (actions/function_actions.py).
The ``action ran`` lines name the queue the batch came from (a task ``target``'s
queue, say); each batch writes one ``actions ran`` metric line (metrics.py).

Not ``safe-rerun``: before it runs, the action is claimed in the execution's
partition (persistence/claims.py). A run already claimed is not run again: a copy
of its message (SQS delivered it twice, or the engine sent its outbox again) is
acknowledged and left to the claimer to answer; the same message received again
after a delivery that was not acknowledged (the claimer crashed or timed out, and
the action may have had effects) completes with an error, as Mistral does for an
action whose executor died. A redelivered run that was never claimed never
started, and runs. ``safe-rerun`` actions run again whenever they are delivered.
Standalone runs (POST /v2/action_executions) keep the simpler rule: a delivery
after one that was not acknowledged completes with the error.

A message that keeps failing (its results cannot be sent) is dead-lettered on its
last receive with the cause (failures.py).
"""

from __future__ import annotations

import contextvars
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Mapping

from sirocco.actions import ActionContext, Result, run_action
from sirocco.engine import ActionCompleted, RunAction
from sirocco.messaging import lambda_events as le
from sirocco.messaging.queues import OutMessage
from sirocco.messaging.routing import action_completed_id, engine_message
from sirocco import metering
from sirocco.persistence import claims

from . import inbox, logs, metrics
from .failures import Failures
from .runtime import Runtime, get_runtime

#: seconds kept back from the Lambda's remaining time to send results
LAMBDA_MARGIN = 5.0
MAX_THREADS = 10


@dataclass(slots=True)
class _Done:
    record: Mapping[str, Any]
    message: OutMessage | None  # None: nothing to send (an async action, a copy of a claimed run)
    failed: bool = False
    ms: float = 0.0


def handle(event: Mapping[str, Any], context: Any = None, runtime: Runtime | None = None) -> dict[str, Any]:
    """Lambda handler of an executor queue: ``{"batchItemFailures": [...]}``."""
    rt = runtime or get_runtime()
    failures = Failures(rt, "executor")
    accepted = inbox.accept(rt, event, RunAction, "executor", failures)
    lambda_left = _remaining(context)
    queue = queue_name(event)
    done: list[_Done] = []
    if accepted:
        with ThreadPoolExecutor(max_workers=min(MAX_THREADS, len(accepted)),
                                thread_name_prefix="sirocco-exec") as pool:
            # each run in a copy of this context: what the invocation set (fault injection, say) reaches it
            futures = [(record, pool.submit(contextvars.copy_context().run, _run, rt, record, envelope.obj,
                                            envelope.meta, lambda_left, queue))
                       for record, envelope in accepted]
            for record, future in futures:
                try:
                    done.append(future.result())
                except Exception as exc:  # run_action never raises; this is a bug of ours, or AWS failing
                    logs.error("executor failed", message_id=record.get("messageId", ""),
                               **logs.exception_fields(exc))
                    failures.fail(record, exc)
    metrics.actions_ran(queue or "unknown", ((d.failed, d.ms) for d in done if d.message is not None))
    messages = [d.message for d in done if d.message is not None]
    if messages:
        try:
            rt.queues.send(rt.queue_settings.engine_queue, messages)
        except Exception as exc:
            logs.error("could not send action results; the batch is retried", results=len(messages),
                       **logs.exception_fields(exc))
            failures.fail_all([d.record for d in done], f"could not send action results: {type(exc).__name__}: {exc}")
    return failures.response()


def queue_name(event: Mapping[str, Any]) -> str | None:
    """The queue a batch came from (Lambda sends one queue's messages per batch)."""
    for record in le.records(event):
        arn = record.get("eventSourceARN")
        if arn:
            return str(arn).rsplit(":", 1)[-1]
    return None


def _remaining(context: Any) -> float | None:
    get = getattr(context, "get_remaining_time_in_millis", None)
    if get is None:
        return None
    return max(1.0, get() / 1000.0 - LAMBDA_MARGIN)


def context_for(cmd: RunAction, meta: Mapping[str, Any], rt: Runtime, lambda_left: float | None) -> ActionContext:
    timeout = cmd.timeout
    if lambda_left is not None:
        timeout = lambda_left if timeout is None else min(timeout, lambda_left)
    callback = f"{rt.api_url.rstrip('/')}/action_executions/{cmd.action_id}" if rt.api_url else None
    return ActionContext(workflow_execution_id=cmd.execution_id, task_execution_id=cmd.task_id,
                         action_execution_id=cmd.action_id, workflow_name=meta.get("workflow_name"),
                         callback_url=callback, timeout=timeout, with_items_index=cmd.index)


def interrupted(cmd: RunAction) -> Result:
    return Result(error=(
        f"Action was interrupted and is not safe to rerun [action={cmd.name}, action_ex_id={cmd.action_id}]: "
        "a previous delivery of it was not completed; set safe-rerun: true to let it run again"))


def _may_run(rt: Runtime, record: Mapping[str, Any], cmd: RunAction, meta: Mapping[str, Any],
             ids: dict[str, Any]) -> Result | bool:
    """True: run it; False: a copy of a run another delivery claimed (nothing to do);
    a Result: the error of a run that was interrupted."""
    receives = le.receive_count(record)
    if cmd.safe_rerun:
        return True
    if meta.get("standalone"):
        return interrupted(cmd) if receives > 1 else True
    message_id = str(record.get("messageId", ""))
    found = claims.claim(rt.executions, cmd.execution_id, cmd.action_id, token=uuid.uuid4().hex,
                         message_id=message_id, receives=receives, now=rt.clock())
    if found is None:
        return True
    if found.message_id == message_id and receives > found.receives:
        logs.warning("action not rerun (not safe-rerun)", receives=receives, claimed_at=found.at, **ids)
        return interrupted(cmd)
    logs.info("action already taken; this copy is dropped", receives=receives, claimed_by=found.message_id, **ids)
    return False


def _run(rt: Runtime, record: Mapping[str, Any], cmd: RunAction, meta: dict[str, Any],
         lambda_left: float | None, queue: str | None = None) -> _Done:
    metering.now_working_for(cmd.execution_id)  # this thread's copied context: the run's execution
    ids = {"execution_id": cmd.execution_id, "task_id": cmd.task_id, "action_id": cmd.action_id,
           "action": cmd.name, "queue": queue}
    started = time.perf_counter()
    verdict = _may_run(rt, record, cmd, meta, ids)
    if verdict is False:
        return _Done(record, None)
    if verdict is True:
        result = run_action(cmd.name, cmd.input, context_for(cmd, meta, rt, lambda_left), registry=rt.registry)
    else:
        result = verdict
    ms = round((time.perf_counter() - started) * 1000, 1)
    if result is None:
        logs.info("action started (async)", ms=ms, **ids)
        return _Done(record, None)
    if meta.get("standalone"):  # POST /v2/action_executions: no engine, the record is completed in place
        from sirocco.api.action_executions import finish_standalone

        finish_standalone(rt, cmd.action_id, result, meta)
        logs.info("action ran", state="CANCELLED" if result.is_cancel() else "ERROR" if result.is_error()
                  else "SUCCESS", ms=ms, standalone=True, **ids)
        return _Done(record, None)
    event = completion(cmd, result, rt.clock())
    logs.info("action ran", state="ERROR" if event.failed else "SUCCESS", ms=ms, **ids)
    return _Done(record, engine_message(event, cmd.execution_id), event.failed, ms)


def completion(cmd: RunAction, result: Result, now: float) -> ActionCompleted:
    """The engine's event for a run's ``result`` (the engine's inline runs make it too)."""
    failed = result.is_error() or result.is_cancel()
    error = result.error if result.error is not None or not result.is_cancel() else "Action was cancelled"
    return ActionCompleted(action_completed_id(cmd.action_id), now, action_id=cmd.action_id,
                           result=None if failed else result.data, error=error if failed else None,
                           failed=failed, cancelled=result.is_cancel())
