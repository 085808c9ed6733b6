"""The action-function contract, done once for every function in Python.

Deployed as a Lambda layer with every function of ``functions/`` (so it is
importable as ``sirocco_function``); `sirocco dev` puts this directory on the
path of its in-process functions. Write a function as::

    from sirocco_function import ActionFailed, action_function

    @action_function
    def handler(input, context):
        if "text" not in input:
            raise ActionFailed({"reason": "no text"})   # the task fails with this value
        return input["text"].upper()                      # the task's result

``input`` is the task's action input (defaults filled in), ``context`` the
event's ``context`` (execution, task and action ids, ``timeout`` in seconds
left or None) with ``lambda_context`` added. The decorator reads an input
offloaded to S3, answers ``{"result": ...}`` / ``{"error": ...}``, and writes a
result larger than the event's ``payloads.limit`` to S3 (``{"result_s3": ...}``).
Any other exception propagates: Lambda reports it and the task fails with its
type and message. The raw contract is in docs/actions.md for other languages.
"""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any, Callable

__all__ = ["ActionFailed", "action_function"]


class ActionFailed(Exception):
    """Fail the task with ``error`` as its error value (any JSON value)."""

    def __init__(self, error: Any) -> None:
        super().__init__(error if isinstance(error, str) else json.dumps(error))
        self.error = error


def _s3() -> Any:
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client("s3", config=Config(s3={"addressing_style": "path"}))


def _read_input(event: dict[str, Any]) -> Any:
    if "input_s3" in event:
        where = event["input_s3"]
        body = _s3().get_object(Bucket=where["bucket"], Key=where["key"])["Body"].read()
        return json.loads(body)
    return event.get("input") or {}


def _answer(event: dict[str, Any], result: Any) -> dict[str, Any]:
    text = json.dumps(result, separators=(",", ":"), allow_nan=False).encode()
    payloads = event.get("payloads") or {}
    limit = payloads.get("limit")
    if limit is None or len(text) + 16 <= limit or not payloads.get("bucket"):
        return {"result": result}
    key = f"{payloads.get('prefix') or 'functions'}/{hashlib.sha256(text).hexdigest()}"
    _s3().put_object(Bucket=payloads["bucket"], Key=key, Body=text)
    return {"result_s3": {"bucket": payloads["bucket"], "key": key}}


def action_function(fn: Callable[[Any, dict[str, Any]], Any]) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """Turn ``fn(input, context)`` into a Lambda handler that speaks the contract."""

    @functools.wraps(fn)
    def handler(event: dict[str, Any], lambda_context: Any = None) -> dict[str, Any]:
        context = dict(event.get("context") or {})
        context["lambda_context"] = lambda_context
        try:
            result = fn(_read_input(event), context)
        except ActionFailed as failed:
            return {"error": failed.error}
        return _answer(event, result)

    return handler
