"""Lambda invocations and API requests: what AWS bills around the handler code.

Per invocation of a queue handler: one Lambda request and its duration (rounded up
to the millisecond) times the function's memory, Lambda's own log lines (START, END,
REPORT: CloudWatch Logs ingests them as the handler's), and the event source mapping's own
SQS requests on that queue, which the handler never sees: the ReceiveMessage that
brought the batch (per started 64 KB of its bodies) and the DeleteMessageBatch that
acknowledges it. All of it is shared evenly by the executions of the batch's records;
while the handler runs, its requests go to those executions unless it says better
(the engine per message group, the executor per action run).

Per API request that starts or changes an execution (``METERED_ROUTES``): one API
Gateway request and one invocation of the API function. Reads (GET) are the
watcher's cost, not the run's: they are charged to ``READS``.
"""

from __future__ import annotations

import json
import time
from typing import Any, Callable, Mapping

from . import attribution, meter, units
from .functions import API_FUNCTION, configured_mb
from .ledger import READS, UNATTRIBUTED
from .usage import Usage

Handler = Callable[[Any, Any], Any]

#: (method, route) of the API requests that are a run's cost -> where the execution id is:
#: "path" (the route's ``execution_id``), "body" (the answer's ``id``) or "owner" (the answer's
#: ``workflow_execution_id``)
METERED_ROUTES = {
    ("POST", "/v2/executions"): "body",
    ("PUT", "/v2/executions/{execution_id}"): "path",
    ("PUT", "/v2/tasks/{task_id}"): "owner",
    ("PUT", "/v2/action_executions/{action_execution_id}"): "owner",
}


#: what Lambda itself writes to CloudWatch Logs per invocation (its START, END and REPORT lines)
PLATFORM_LOG_BYTES = 300


def invocation_usage(function: str, milliseconds: float) -> Usage:
    """One Lambda invocation: the request, its GB-s, and its platform log lines."""
    return (Usage.of("lambda", function, requests=1, units=units.gb_seconds(milliseconds, configured_mb(function)))
            + Usage.of("logs", "ingested", requests=0, units=PLATFORM_LOG_BYTES / meter.GB,
                       bytes=PLATFORM_LOG_BYTES))


def lambda_usage(function: str, milliseconds: float, records: list[Mapping[str, Any]]) -> Usage:
    """One invocation of a queue handler over ``records``, with the event source's requests."""
    usage = invocation_usage(function, milliseconds)
    if not records:
        return usage
    arn = str(records[0].get("eventSourceARN", ""))
    service = "sqs-fifo" if arn.endswith(".fifo") else "sqs-standard"
    payload = sum(units.sqs_message_size(str(r.get("body", ""))) for r in records)
    usage += Usage.of(service, "ReceiveMessage", requests=1, units=units.sqs_requests(payload), bytes=payload)
    usage += Usage.of(service, "DeleteMessageBatch", requests=1, units=1)
    return usage


def metered(function: str, handle: Handler) -> Handler:
    """``handle(event, context)`` charged as a Lambda invocation of ``function`` (when metering)."""

    def run(event: Any, context: Any = None) -> Any:
        if not meter.active():
            return handle(event, context)
        records = list((event or {}).get("Records") or [])
        owners = attribution.batch_owners(records)
        started = time.perf_counter()
        try:
            with attribution.working_for(*owners):
                return handle(event, context)
        finally:  # a crashed invocation is billed too
            ms = (time.perf_counter() - started) * 1000
            meter.charge(lambda_usage(function, ms, records), owners or (UNATTRIBUTED,))

    return run


def api_usage(milliseconds: float, method: str) -> Usage:
    return Usage.of("apigateway", method, requests=1, units=1) + invocation_usage(API_FUNCTION, milliseconds)


def owner_in(where: str, path_id: str, body: Any) -> str | None:
    """The execution a metered request was for, from its path or its answer."""
    if where == "path":
        return path_id
    if isinstance(body, (str, bytes)):
        try:
            body = json.loads(body)
        except ValueError:
            return None
    if not isinstance(body, Mapping):
        return None
    value = body.get("id" if where == "body" else "workflow_execution_id")
    return value if isinstance(value, str) and value else None


def api_request(event: Any, get_response: Callable[[Any], Any]) -> Any:
    """Chalice HTTP middleware: charge an API request to the execution it started or changed."""
    if not meter.active():
        return get_response(event)
    method = str(getattr(event, "method", "")).upper()
    where = METERED_ROUTES.get((method, str(getattr(event, "path", ""))))
    started = time.perf_counter()
    with attribution.holding() as held:
        response = get_response(event)
    usage = held.usage + api_usage((time.perf_counter() - started) * 1000, method)
    if where is not None and getattr(response, "status_code", 500) < 400:
        path_id = (getattr(event, "uri_params", None) or {}).get("execution_id", "")
        owner = owner_in(where, path_id, getattr(response, "body", None))
        owners = (owner,) if owner else tuple(held.named)  # else: whose engine messages it sent
    else:
        owners = ()
    meter.charge(usage, owners or (READS,))
    return response
