"""Metrics as log lines in CloudWatch's embedded metric format (EMF).

A JSON log line with an ``_aws`` member becomes CloudWatch metrics when Lambda
ships it to CloudWatch Logs: no PutMetricData call, no client, nothing to
flush, and a crash loses at most the lines not yet written. Lines go out
whatever the log level (``SIROCCO_METRICS=off`` stops them); namespace and
the ``Service`` dimension come from ``SIROCCO_METRICS_NAMESPACE`` (``Sirocco``)
and ``SIROCCO_PREFIX`` (``sirocco``), which the template gives every Lambda.
The dashboard and the engine-lag alarm of infra/resources.yaml read:

| metric | dimensions | from |
|---|---|---|
| ``Messages``, ``FailedMessages`` (Count), ``MessageAge`` (s: the oldest record's wait from send to handler), ``BatchDuration`` (ms) | Service, Handler | every SQS batch (``measured``) |
| ``ActionsSucceeded``, ``ActionsFailed`` (Count), ``ActionDuration`` (ms, every value) | Service; Service, Queue | every executor batch (``actions_ran``) |
| ``ExecutionsStarted``, ``ExecutionsSucceeded``, ``ExecutionsFailed``, ``ExecutionsCancelled`` (Count) | Service | a saved engine batch that changed an execution's state (``execution_changed``) |
"""

from __future__ import annotations

import os
import time
from typing import Any, Callable, Iterable, Mapping, Sequence

from . import logs

COMPLETED = {"SUCCESS": "ExecutionsSucceeded", "ERROR": "ExecutionsFailed", "CANCELLED": "ExecutionsCancelled"}
_NOT_STARTED = (None, "", "IDLE")


def enabled() -> bool:
    return os.environ.get("SIROCCO_METRICS", "on").lower() not in ("off", "0", "false", "no")


def emf(values: Mapping[str, Any], units: Mapping[str, str], dimensions: Mapping[str, str],
        dimension_sets: Sequence[Sequence[str]], *, now: float | None = None) -> dict[str, Any]:
    """The fields of one EMF line: ``_aws`` naming the metrics and their dimension sets,
    then the dimension values and the metric values (a list is several values)."""
    namespace = os.environ.get("SIROCCO_METRICS_NAMESPACE") or "Sirocco"
    dims = {"Service": os.environ.get("SIROCCO_PREFIX") or "sirocco", **dimensions}
    return {
        "_aws": {"Timestamp": int((time.time() if now is None else now) * 1000),
                 "CloudWatchMetrics": [{"Namespace": namespace,
                                        "Dimensions": [list(s) for s in dimension_sets],
                                        "Metrics": [{"Name": n, "Unit": units[n]} for n in values]}]},
        **dims,
        **values,
    }


def emit(msg: str, values: Mapping[str, Any], units: Mapping[str, str], dimensions: Mapping[str, str] | None = None,
         dimension_sets: Sequence[Sequence[str]] = (("Service",),), **fields: Any) -> None:
    """Write one metric line (``msg`` and ``fields`` are for people reading the log)."""
    if not values or not enabled():
        return
    logs.always(msg, **fields, **emf(values, units, dimensions or {}, dimension_sets))


# ---------------------------------------------------------------------------- SQS batches

def message_age(event: Mapping[str, Any], now: float | None = None) -> float | None:
    """Seconds the oldest record of a Lambda SQS event waited since it was sent."""
    sent = []
    for record in event.get("Records") or []:
        try:
            sent.append(int((record.get("attributes") or {})["SentTimestamp"]))
        except (KeyError, TypeError, ValueError):
            continue
    if not sent:
        return None
    return max(0.0, round((time.time() if now is None else now) - min(sent) / 1000.0, 3))


def batch(role: str, event: Mapping[str, Any], response: Mapping[str, Any] | None, seconds: float,
          *, crashed: bool = False, now: float | None = None) -> None:
    """The metric line of one handled batch."""
    records = event.get("Records") or []
    failed = len(records) if crashed else len((response or {}).get("batchItemFailures") or [])
    values: dict[str, Any] = {"Messages": len(records), "FailedMessages": failed,
                              "BatchDuration": round(seconds * 1000, 1)}
    units = {"Messages": "Count", "FailedMessages": "Count", "BatchDuration": "Milliseconds",
             "MessageAge": "Seconds"}
    age = message_age(event, now)
    if age is not None:
        values["MessageAge"] = age
    emit("handler batch", values, units, {"Handler": role}, (("Service", "Handler"),))


def measured(role: str, handle: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """``handle(event, context)`` that also writes the batch's metric line (a handler that
    raises fails its whole batch: counted so, then raised again)."""

    def run(event: Any, context: Any = None) -> Any:
        started = time.perf_counter()
        try:
            response = handle(event, context)
        except BaseException:
            batch(role, event, None, time.perf_counter() - started, crashed=True)
            raise
        batch(role, event, response, time.perf_counter() - started)
        return response

    return run


# ---------------------------------------------------------------------------- actions and executions

def actions_ran(queue: str, outcomes: Iterable[tuple[bool, float]]) -> None:
    """One line for an executor batch: ``outcomes`` are (failed, milliseconds) of each action run."""
    runs = list(outcomes)
    if not runs:
        return
    values = {"ActionsSucceeded": sum(1 for failed, _ in runs if not failed),
              "ActionsFailed": sum(1 for failed, _ in runs if failed),
              "ActionDuration": [ms for _, ms in runs][:100]}  # EMF takes up to 100 values a line
    units = {"ActionsSucceeded": "Count", "ActionsFailed": "Count", "ActionDuration": "Milliseconds"}
    emit("actions ran", values, units, {"Queue": queue}, (("Service",), ("Service", "Queue")))


def execution_changed(execution_id: str, workflow: str | None, before: str | None, after: str | None) -> None:
    """The line of an engine batch saved with the execution's state going from ``before``
    (None: a new execution) to ``after``; nothing when the state stayed."""
    values = {}
    if before in _NOT_STARTED and after not in _NOT_STARTED:
        values["ExecutionsStarted"] = 1
    if after in COMPLETED and before != after:
        values[COMPLETED[after]] = 1
    emit("execution state", values, {name: "Count" for name in values}, execution_id=execution_id,
         workflow=workflow, before=before, after=after)
