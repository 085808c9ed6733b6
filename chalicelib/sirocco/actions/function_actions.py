"""Action functions as actions: ``fn.<name>`` invokes the Lambda of ``functions/<name>``.

The executor runs ``fn.text_transform text=...`` like any other action: the
registry checks the input against the manifest's input string, then
``call_function`` sends the function one event and reads one answer
(docs/actions.md, "Action functions", is the contract):

event (what the Lambda receives)::

    {"version": 1, "action": "fn.text_transform",
     "input": {"text": "...", "operations": ["strip"]},          # defaults filled in
     "context": {"workflow_execution_id", "task_execution_id", "action_execution_id",
                 "workflow_name", "task_name", "with_items_index", "callback_url",
                 "timeout"},                                      # seconds left, or null
     "payloads": {"bucket": "<payload bucket>", "prefix": "functions", "limit": 6225920}}

An event above ``payloads.limit`` bytes carries ``"input_s3": {"bucket", "key"}``
instead of ``"input"``. The answer is ``{"result": <JSON>}``, ``{"error": <JSON>}``
(the task fails with that value, as ``Result(error=...)``), or ``{"result_s3":
{"bucket", "key"}}`` for a result above the limit, written under ``functions/`` in
the payload bucket. A function that raises, times out or answers anything else
fails the task with a message naming the function.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from .base import ActionContext, ActionError, ActionTimeout, Result, seconds_text
from .function_catalog import FunctionSpec, from_env
from .function_invokers import LAMBDA_PAYLOAD_LIMIT, InProcessTransport, LambdaTransport, Transport
from .registry import ActionRegistry
from .signature import parse_spec

EVENT_VERSION = 1
#: what an event or an answer may hold inline: Lambda's 6 MiB less room for the envelope
DEFAULT_PAYLOAD_LIMIT = LAMBDA_PAYLOAD_LIMIT - 64 * 1024
PAYLOAD_PREFIX = "functions"


@dataclass(frozen=True)
class FunctionSettings:
    """Where large inputs and results go, and how functions are reached."""

    payload_bucket: str | None = None
    payload_limit: int = DEFAULT_PAYLOAD_LIMIT
    #: ``functions/`` of a checkout: run the functions in this process (`sirocco dev`), not on Lambda
    functions_dir: Path | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "FunctionSettings":
        env = os.environ if environ is None else environ
        local = env.get("SIROCCO_FUNCTIONS_DIR") or None
        return cls(payload_bucket=env.get("SIROCCO_PAYLOAD_BUCKET") or None,
                   payload_limit=min(DEFAULT_PAYLOAD_LIMIT,
                                     int(env.get("SIROCCO_FUNCTION_PAYLOAD_LIMIT") or DEFAULT_PAYLOAD_LIMIT)),
                   functions_dir=Path(local) if local else None)


class S3Payloads:
    """Content-addressed objects under ``functions/`` of the payload bucket (the same
    scheme as the persistence layer's: a repeated put writes the same object)."""

    def __init__(self, bucket: str, client: Any = None) -> None:
        self.bucket = bucket
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3
            from botocore.config import Config

            self._client = boto3.session.Session().client("s3", config=Config(s3={"addressing_style": "path"}))
        return self._client

    def put(self, data: bytes) -> dict[str, str]:
        key = f"{PAYLOAD_PREFIX}/{hashlib.sha256(data).hexdigest()}"
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data)
        return {"bucket": self.bucket, "key": key}

    def get(self, where: Any) -> bytes:
        """The object a function named; only ``functions/`` objects of this bucket (a function
        must not make the executor read another execution's payloads)."""
        if (not isinstance(where, dict) or where.get("bucket") != self.bucket
                or not str(where.get("key", "")).startswith(PAYLOAD_PREFIX + "/")):
            raise ActionError(f"result_s3 must name an object under {PAYLOAD_PREFIX}/ in bucket {self.bucket}, "
                              f"got {where!r}")
        return self.client.get_object(Bucket=self.bucket, Key=where["key"])["Body"].read()


def build_event(spec: FunctionSpec, given: Mapping[str, Any], ctx: ActionContext,
                settings: FunctionSettings) -> dict[str, Any]:
    """The event of one run (input inline; ``call_function`` moves it to S3 when too large)."""
    context = ctx.to_dict()
    context["timeout"] = ctx.remaining()
    return {"version": EVENT_VERSION, "action": spec.action, "input": dict(given), "context": context,
            "payloads": {"bucket": settings.payload_bucket, "prefix": PAYLOAD_PREFIX,
                         "limit": settings.payload_limit}}


def call_function(spec: FunctionSpec, given: Mapping[str, Any], ctx: ActionContext, transport: Transport,
                  settings: FunctionSettings, payloads: S3Payloads | None = None) -> Any:
    """Invoke the function once; its result, or ``Result(error=...)`` for an ``{"error": ...}``
    answer. Raises ``ActionError`` (the runner words it) for every other failure."""
    event = build_event(spec, given, ctx, settings)
    body = json.dumps(event, separators=(",", ":")).encode()
    if len(body) > settings.payload_limit:
        if payloads is None:
            raise ActionError(f"the input of {spec.action} ({len(body)} bytes) is above "
                              f"{settings.payload_limit} bytes and no payload bucket is configured")
        event["input_s3"] = payloads.put(json.dumps(event.pop("input"), separators=(",", ":")).encode())
        body = json.dumps(event, separators=(",", ":")).encode()
    try:
        answer = transport.invoke(spec, body, ctx.remaining())
    except TimeoutError as exc:
        if ctx.timeout is not None:
            raise ActionTimeout(f"Timeout after {seconds_text(ctx.timeout)} seconds") from None
        raise ActionError(str(exc)) from None
    try:
        response = json.loads(answer.payload or b"null")
    except ValueError:
        response = answer.payload[:200].decode("utf-8", "replace")
    if answer.function_error:
        raise ActionError(_lambda_error(response))
    return _read_response(spec, response, payloads)


def _lambda_error(response: Any) -> str:
    """Lambda's error payload ``{"errorType", "errorMessage"}`` as one line."""
    if isinstance(response, dict):
        message = str(response.get("errorMessage", "")).strip()
        kind = response.get("errorType")
        return f"{kind}: {message}" if kind else message
    return str(response)


def _read_response(spec: FunctionSpec, response: Any, payloads: S3Payloads | None) -> Any:
    if isinstance(response, dict):
        if "result" in response:
            return response["result"]
        if response.get("error") is not None:
            return Result(error=response["error"])
        if "result_s3" in response:
            if payloads is None:
                raise ActionError(f"{spec.action} answered result_s3 but no payload bucket is configured")
            return json.loads(payloads.get(response["result_s3"]))
    shown = json.dumps(response)[:200]
    raise ActionError(f"Lambda function {spec.function} answered {shown}; an action function answers "
                      '{"result": ...}, {"error": ...} or {"result_s3": {"bucket", "key"}}')


# ---------------------------------------------------------------------------- registration

def function_action(spec: FunctionSpec, transport: Transport, settings: FunctionSettings
                    ) -> Callable[..., Any]:
    """The registry implementation of ``spec``: ``fn(ctx, **input)``."""
    payloads = S3Payloads(settings.payload_bucket) if settings.payload_bucket else None
    # the function gets its defaults filled in, as a Python action's __init__ would
    signature = parse_spec(spec.input) if spec.input is not None else None

    def run(ctx: ActionContext, **given: Any) -> Any:
        full = signature.with_defaults(given) if signature is not None else given
        return call_function(spec, full, ctx, transport, settings, payloads)

    run.__qualname__ = run.__name__ = f"function_action[{spec.function}]"
    run.__doc__ = spec.description or f"Invokes the Lambda function {spec.function}."
    run.sirocco_function = spec  # type: ignore[attr-defined]
    return run


def register_function_actions(registry: ActionRegistry, environ: Mapping[str, str] | None = None, *,
                              transport: Transport | None = None) -> list[str]:
    """Register the action functions of ``SIROCCO_FUNCTIONS`` (replacing those of an earlier
    call); returns their action names. With ``SIROCCO_FUNCTIONS_DIR`` set they run in this
    process from that directory, otherwise through Lambda's Invoke API."""
    env = os.environ if environ is None else environ
    settings = FunctionSettings.from_env(env)
    if transport is None:
        transport = InProcessTransport(settings.functions_dir) if settings.functions_dir else LambdaTransport()
    for name in registry.names():
        if hasattr(registry.get(name).impl, "sirocco_function"):
            registry.remove(name)
    names = []
    for spec in from_env(env):
        registry.register(spec.action, function_action(spec, transport, settings),
                          description=spec.description or None, input=spec.input, replace=True)
        names.append(spec.action)
    return names
