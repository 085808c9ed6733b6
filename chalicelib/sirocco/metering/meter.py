"""The meter: every AWS request of this process, charged to the executions it served.

``install()`` attaches to every botocore client made from then on (botohooks.py,
as fault injection does), above the transport: the parameters are kept when the
call is built, the answer is read after it, and ``context["retries"]`` tells how
many attempts botocore made (each one reached AWS and is billed, throttled ones
included: an upper bound under faults). The usage goes to the executions the
request names (an SQS send's message groups and envelopes), else to those the code
works for (attribution.py), else to the unattributed bucket.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from sirocco import botohooks

from . import attribution
from .attribution import body_owner, group_owner
from .ledger import LEDGER, Ledger
from .requests import Stored, dynamodb_before, owners_of, unknown_size, usage_of
from .usage import Usage

log = logging.getLogger("sirocco.metering")

_KEY = "sirocco_meter"
GB = 1024 ** 3
_state: dict[str, Any] = {"stored": unknown_size, "ledger": LEDGER}


def active() -> bool:
    return botohooks.installed("meter")


def wanted(default: bool = False) -> bool:
    """``SIROCCO_METER`` (1/0), else ``default`` (on in `sirocco dev`, off in Lambda)."""
    value = os.environ.get("SIROCCO_METER", "").strip().lower()
    if not value:
        return default
    return value not in ("0", "off", "false", "no")


def install(stored: Stored | None = None, ledger: Ledger | None = None) -> None:
    """Meter every client made from now on; ``stored`` looks up DynamoDB item sizes."""
    if stored is not None:
        _state["stored"] = stored
    if ledger is not None:
        _state["ledger"] = ledger
    if not active():
        _state["since"] = time.time()
    botohooks.add("meter", attach)


def since() -> float | None:
    """When metering started in this process (an execution created before is not all here)."""
    return _state.get("since") if active() else None


def uninstall() -> None:
    botohooks.remove("meter")
    _state.update(stored=unknown_size, ledger=LEDGER)


def ledger() -> Ledger:
    return _state["ledger"]


def charge(usage: Usage, owners: tuple[str, ...] = ()) -> None:
    """Charge ``usage`` to ``owners``, else to whom the code works for (or hold it)."""
    held = attribution.held()
    if held is not None:
        if owners:
            held.saw(owners)
        else:
            held.add(usage)
            return
    owners = owners or attribution.owners()
    _state["ledger"].charge(owners, usage)


def attach(client: Any) -> Any:
    """Meter one botocore client (idempotent); returns it."""
    service = client.meta.service_model.service_name
    events = client.meta.events
    events.register_first("before-parameter-build", _params(service), unique_id="sirocco-meter-params")
    events.register_first("before-call", _wire, unique_id="sirocco-meter-wire")
    # first: fault injection crashes in after-call, and the request happened all the same
    events.register_first("after-call", _done(service), unique_id="sirocco-meter-done")
    events.register_first("after-call-error", _failed(service), unique_id="sirocco-meter-failed")
    return client


def _params(service: str) -> Any:
    def kept(params: Any = None, model: Any = None, context: Any = None, **_: Any) -> None:
        if context is None or model is None or not active():  # a client made while metering, later
            return
        state = {"operation": model.name, "params": dict(params or {}), "before": []}
        if service == "dynamodb":
            try:
                state["before"] = dynamodb_before(model.name, params or {}, _state["stored"])
            except Exception:  # noqa: BLE001 - never fail a request for its metering
                log.debug("metering: no item sizes before %s", model.name, exc_info=True)
        context[_KEY] = state
    return kept


def _wire(params: Any = None, context: Any = None, **_: Any) -> None:
    state = (context or {}).get(_KEY)
    if state is not None:
        body = (params or {}).get("body")
        state["bytes"] = len(body) if isinstance(body, (bytes, str)) else 0


def _record(service: str, context: Any, parsed: Any) -> None:
    state = (context or {}).get(_KEY)
    if state is None:
        return
    operation = state["operation"]
    try:
        attempts = int(((context or {}).get("retries") or {}).get("attempt") or 1)
        params = state["params"]
        usage = usage_of(service, operation, params, parsed, attempts=attempts, wire_bytes=state.get("bytes", 0),
                         before=state["before"], stored=_state["stored"])
        charge(usage, owners_of(service, operation, params))
    except Exception:  # noqa: BLE001
        log.warning("metering: could not count %s %s", service, operation, exc_info=True)


def _done(service: str) -> Any:
    def done(context: Any = None, parsed: Any = None, http_response: Any = None, **_: Any) -> None:
        failed = http_response is not None and getattr(http_response, "status_code", 200) >= 300
        _record(service, context, None if failed else parsed)
    return done


def _failed(service: str) -> Any:
    def failed(context: Any = None, **_: Any) -> None:
        _record(service, context, None)
    return failed


def schedule_fired(send: dict[str, Any]) -> None:
    """An EventBridge Scheduler firing that sent ``send`` (SendMessage's arguments) to its queue."""
    if not active():
        return
    owner = group_owner(send.get("MessageGroupId")) or body_owner(send.get("MessageBody"))
    charge(Usage.of("scheduler", "Invocation", requests=1, units=1), (owner,) if owner else ())


def logged(text: str) -> None:
    """A log line written to standard output, which CloudWatch Logs ingests (by its UTF-8 bytes)."""
    if active():
        size = len(text.encode("utf-8"))
        charge(Usage.of("logs", "ingested", requests=0, units=size / GB, bytes=size))
