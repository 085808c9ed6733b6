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

Not ``safe-rerun``: a record delivered again after a delivery that was not
acknowledged (``ApproximateReceiveCount`` > 1: the previous run crashed or
timed out, and may have had effects) is not run again; it completes with an
error, as Mistral does for an action whose executor died.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Mapping

from sirocco.actions import ActionContext, Result, run_action
from sirocco.engine import ActionCompleted, RunAction
from sirocco.messaging import lambda_events as le
from sirocco.messaging.queues import OutMessage
from sirocco.messaging.routing import action_completed_id, engine_message

from . import inbox, logs, metrics
from .runtime import Runtime, get_runtime

#: seconds kept back from the Lambda's remaining time to send results
LAMBDA_MARGIN = 5.0
MAX_THREADS = 10


@dataclass(slots=True)
class _Done:
    message_id: str
    message: OutMessage | None  # None: an async action, nothing to send
    failed: bool = False
    ms: float = 0.0


def handle(event: Mapping[str, Any], context: Any = None, runtime: Runtime | None = None) -> dict[str, Any]:
    """Lambda handler of an executor queue: ``{"batchItemFailures": [...]}``."""
    rt = runtime or get_runtime()
    accepted, failed = inbox.accept(rt, event, RunAction, "executor")
    work: list[tuple[str, RunAction, dict[str, Any], int]] = [
        (record.get("messageId", ""), envelope.obj, envelope.meta, le.receive_count(record))
        for record, envelope in accepted
    ]
    lambda_left = _remaining(context)
    queue = queue_name(event)
    done: list[_Done] = []
    if work:
        with ThreadPoolExecutor(max_workers=min(MAX_THREADS, len(work)), thread_name_prefix="sirocco-exec") as pool:
            futures = [(w[0], pool.submit(_run, rt, *w, lambda_left, queue)) for w in work]
            for message_id, future in futures:
                try:
                    done.append(future.result())
                except Exception as exc:  # run_action never raises; this is a bug of ours
                    logs.error("executor failed", message_id=message_id, **logs.exception_fields(exc))
                    failed.append(message_id)
    metrics.actions_ran(queue or "unknown", ((d.failed, d.ms) for d in done if d.message is not None))
    messages = [d.message for d in done if d.message is not None]
    if messages:
        try:
            rt.queues.send(rt.queue_settings.engine_queue, messages)
        except Exception as exc:
            logs.error("could not send action results; the batch is retried", results=len(messages),
                       **logs.exception_fields(exc))
            failed.extend(d.message_id for d in done)
    return le.batch_response(failed)


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


def _run(rt: Runtime, message_id: str, cmd: RunAction, meta: dict[str, Any], receives: int,
         lambda_left: float | None, queue: str | None = None) -> _Done:
    ids = {"execution_id": cmd.execution_id, "task_id": cmd.task_id, "action_id": cmd.action_id,
           "action": cmd.name, "queue": queue}
    started = time.perf_counter()
    if receives > 1 and not cmd.safe_rerun:
        result: Result | None = Result(error=(
            f"Action was interrupted and is not safe to rerun [action={cmd.name}, action_ex_id={cmd.action_id}]: "
            "a previous delivery of it was not completed; set safe-rerun: true to let it run again"))
        logs.warning("action not rerun (not safe-rerun)", receives=receives, **ids)
    else:
        result = run_action(cmd.name, cmd.input, context_for(cmd, meta, rt, lambda_left), registry=rt.registry)
    ms = round((time.perf_counter() - started) * 1000, 1)
    if result is None:
        logs.info("action started (async)", ms=ms, **ids)
        return _Done(message_id, None)
    if meta.get("standalone"):  # POST /v2/action_executions: no engine, the record is completed in place
        from sirocco.api.action_executions import finish_standalone

        finish_standalone(rt, cmd.action_id, result, meta)
        logs.info("action ran", state="CANCELLED" if result.is_cancel() else "ERROR" if result.is_error()
                  else "SUCCESS", ms=ms, standalone=True, **ids)
        return _Done(message_id, None)
    failed = result.is_error() or result.is_cancel()
    error = result.error if result.error is not None or not result.is_cancel() else "Action was cancelled"
    logs.info("action ran", state="ERROR" if failed else "SUCCESS", ms=ms, **ids)
    event = ActionCompleted(action_completed_id(cmd.action_id), rt.clock(), action_id=cmd.action_id,
                            result=None if failed else result.data, error=error if failed else None,
                            failed=failed, cancelled=result.is_cancel())
    return _Done(message_id, engine_message(event, cmd.execution_id), failed, ms)
