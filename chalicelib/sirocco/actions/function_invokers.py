"""How an action function is reached: Lambda's Invoke API, or its code in this process.

Both take the event as the JSON bytes Lambda would receive and answer what
Lambda's synchronous Invoke answers: the response payload and the
``FunctionError`` mark (``"Unhandled"`` when the function raised, timed out or
returned something Lambda cannot send). ``InProcessTransport`` is for `sirocco
dev`, whose emulator cannot run Lambdas: it imports ``functions/<dir>/`` and
calls its handler with the same event, a context with Lambda's attributes, and
Lambda's size, timeout and error rules, so a function behaves the same on a
laptop as deployed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import threading
import time
import traceback
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol

from .base import ActionError
from .function_catalog import FunctionSpec

#: Lambda's synchronous invocation limit, request and response alike (bytes)
LAMBDA_PAYLOAD_LIMIT = 6 * 1024 * 1024
#: Invoke calls refused for throttling are tried again this many times (the function did not run)
THROTTLE_RETRIES = 3
#: the shared code of every function (a Lambda layer when deployed): ``functions/_shared/python``
SHARED_DIR = Path("_shared") / "python"


@dataclass(frozen=True)
class Invocation:
    """Lambda's answer: the response payload and its ``FunctionError`` (None: the handler returned)."""

    payload: bytes
    function_error: str | None = None


class Transport(Protocol):
    def invoke(self, spec: FunctionSpec, event: bytes, wait: float | None) -> Invocation:
        """Run the function on ``event``; raise ``TimeoutError`` when no answer came within
        ``wait`` seconds, ``ActionError`` when it could not be invoked at all."""


class LambdaTransport:
    """``lambda.invoke`` (RequestResponse) with boto3, no automatic retries: a retried
    call may run the function twice, so only throttling (which guarantees the
    function did not run) is tried again."""

    def __init__(self, client_factory: Callable[[float], Any] | None = None) -> None:
        self._factory = client_factory or _lambda_client
        self._clients: dict[int, Any] = {}
        self._lock = threading.Lock()

    def _client(self, read_timeout: float) -> Any:
        key = max(1, int(read_timeout + 0.999))
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = self._clients[key] = self._factory(key)
            return client

    def invoke(self, spec: FunctionSpec, event: bytes, wait: float | None) -> Invocation:
        from botocore.exceptions import ClientError, ReadTimeoutError

        # Lambda ends the function at its timeout and answers; wait a little longer than that
        read_timeout = spec.timeout + 5.0 if wait is None else min(spec.timeout + 5.0, wait)
        deadline = time.monotonic() + read_timeout
        client = self._client(read_timeout)
        for attempt in range(THROTTLE_RETRIES + 1):
            try:
                answer = client.invoke(FunctionName=spec.function, InvocationType="RequestResponse", Payload=event)
            except ReadTimeoutError:
                raise TimeoutError(f"no answer from {spec.function} in {read_timeout:g} s") from None
            except ClientError as exc:
                error = exc.response.get("Error", {})
                code, message = error.get("Code", "?"), error.get("Message", "")
                pause = 0.2 * 2 ** attempt
                if code == "TooManyRequestsException" and attempt < THROTTLE_RETRIES \
                        and time.monotonic() + pause < deadline:
                    time.sleep(pause)
                    continue
                if code == "ResourceNotFoundException":
                    raise ActionError(f"Lambda function {spec.function} does not exist "
                                      f"(is functions/{spec.name} deployed in this stack?)") from None
                raise ActionError(f"Could not invoke Lambda function {spec.function}: {code}: {message}") from None
            return Invocation(answer["Payload"].read(), answer.get("FunctionError"))
        raise AssertionError("unreachable")  # pragma: no cover


def _lambda_client(read_timeout: float) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client("lambda", config=Config(
        read_timeout=read_timeout, connect_timeout=10, retries={"total_max_attempts": 1}))


# ---------------------------------------------------------------------------- in this process

class LocalLambdaContext:
    """The attributes and method of Lambda's context object a handler may use."""

    def __init__(self, function_name: str, timeout: float, memory_mb: int = 256) -> None:
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{region}:123456789012:function:{function_name}"
        self.memory_limit_in_mb = memory_mb
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "sirocco-dev"
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _error(message: str, error_type: str | None = None, stack: list[str] | None = None) -> Invocation:
    body: dict[str, Any] = {"errorMessage": message}
    if error_type:
        body["errorType"] = error_type
    if stack is not None:
        body["stackTrace"] = stack
    return Invocation(json.dumps(body).encode(), "Unhandled")


class InProcessTransport:
    """Calls ``functions/<dir>/<module>.py``'s handler in this process, on a thread of
    its own, as Lambda would call it: the event is the JSON Lambda would deliver,
    the answer is what Invoke would return.

    Functions share this interpreter: a module of a function directory (and
    ``functions/_shared/python``, the layer) is importable by every function, so
    give a function's own modules names no other one uses. Code is loaded once
    per process: restart `sirocco dev` after changing a function.
    """

    def __init__(self, functions_dir: str | os.PathLike[str]) -> None:
        self.functions_dir = Path(functions_dir).resolve()
        self._handlers: dict[tuple[str, str], Callable[[Any, Any], Any]] = {}
        self._lock = threading.Lock()

    def handler(self, spec: FunctionSpec) -> Callable[[Any, Any], Any]:
        key = (spec.name, spec.handler)
        with self._lock:
            found = self._handlers.get(key)
            if found is None:
                found = self._handlers[key] = self._load(spec)
            return found

    def _load(self, spec: FunctionSpec) -> Callable[[Any, Any], Any]:
        directory = self.functions_dir / spec.name
        module_name, attribute = spec.handler.split(".")
        path = directory / f"{module_name}.py"
        if not path.is_file():
            raise ActionError(f"action function {spec.action}: no {path} (SIROCCO_FUNCTIONS_DIR={self.functions_dir})")
        for extra in (self.functions_dir / SHARED_DIR, directory):
            if extra.is_dir() and str(extra) not in sys.path:
                sys.path.append(str(extra))  # after Sirocco's own modules: a function cannot shadow them
        unique = f"sirocco_function_{spec.name}_{module_name}"
        module_spec = importlib.util.spec_from_file_location(unique, path)
        assert module_spec is not None and module_spec.loader is not None
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[unique] = module
        try:
            module_spec.loader.exec_module(module)
        except Exception as exc:
            sys.modules.pop(unique, None)
            raise ActionError(f"action function {spec.action}: importing {path} failed: "
                              f"{type(exc).__name__}: {exc}") from None
        found = getattr(module, attribute, None)
        if not callable(found):
            raise ActionError(f"action function {spec.action}: {path} has no function {attribute!r}")
        return found

    def invoke(self, spec: FunctionSpec, event: bytes, wait: float | None) -> Invocation:
        if len(event) > LAMBDA_PAYLOAD_LIMIT:
            raise ActionError(f"Could not invoke Lambda function {spec.function}: RequestEntityTooLargeException: "
                              f"request payload of {len(event)} bytes exceeds {LAMBDA_PAYLOAD_LIMIT}")
        handler = self.handler(spec)
        request = json.loads(event)
        context = LocalLambdaContext(spec.function, spec.timeout, spec.memory)
        box: dict[str, Any] = {}
        finished = threading.Event()

        def run() -> None:
            try:
                box["value"] = handler(request, context)
            except BaseException as exc:  # noqa: BLE001 - Lambda reports whatever the handler raised
                box["error"] = exc
            finally:
                finished.set()

        threading.Thread(target=run, name=f"fn-{spec.name}", daemon=True).start()
        limit = spec.timeout if wait is None else min(wait, spec.timeout)
        if not finished.wait(limit):
            if wait is not None and wait < spec.timeout:
                raise TimeoutError(f"no answer from {spec.function} in {wait:g} s")
            # as Lambda: the function is stopped at its timeout (here it is left to finish, unheard)
            return _error(f"{context.aws_request_id} Task timed out after {spec.timeout:.2f} seconds")
        if "error" in box:
            exc = box["error"]
            return _error(str(exc), type(exc).__name__,
                          traceback.format_tb(exc.__traceback__)[1:] if exc.__traceback__ else [])
        try:
            payload = json.dumps(box["value"]).encode()
        except (TypeError, ValueError) as exc:
            return _error(f"Unable to marshal response: {exc}", "Runtime.MarshalError")
        if len(payload) > LAMBDA_PAYLOAD_LIMIT:
            return _error(f"Response payload size ({len(payload)} bytes) exceeded maximum allowed payload size "
                          f"({LAMBDA_PAYLOAD_LIMIT} bytes).", "Function.ResponseSizeTooLarge")
        return Invocation(payload)
