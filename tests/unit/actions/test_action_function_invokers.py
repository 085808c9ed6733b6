"""Reaching an action function: Lambda's Invoke API (a fake client here) and the
in-process runner of `sirocco dev`, which keeps Lambda's rules (event as JSON,
context attributes, timeout, error and size answers)."""

from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from sirocco.actions import ActionError
from sirocco.actions.function_catalog import FunctionSpec
from sirocco.actions.function_invokers import LAMBDA_PAYLOAD_LIMIT, InProcessTransport, LambdaTransport


def _write(root: Path, name: str, code: str) -> FunctionSpec:
    (root / name).mkdir(parents=True)
    (root / name / "handler.py").write_text(textwrap.dedent(code))
    return FunctionSpec(name, f"p-fn-{name}", timeout=2, memory=512)


def _body(answer: Any) -> Any:
    return json.loads(answer.payload)


def test_the_handler_gets_lambdas_event_and_context(tmp_path: Path) -> None:
    spec = _write(tmp_path, "probe", """
        def handler(event, context):
            return {"result": {"event": event, "name": context.function_name, "memory": context.memory_limit_in_mb,
                               "left": context.get_remaining_time_in_millis(), "id": context.aws_request_id,
                               "arn": context.invoked_function_arn}}
    """)
    answer = InProcessTransport(tmp_path).invoke(spec, b'{"input": {"a": [1, 2]}}', wait=None)
    assert answer.function_error is None
    seen = _body(answer)["result"]
    assert seen["event"] == {"input": {"a": [1, 2]}}
    assert seen["name"] == "p-fn-probe" and seen["memory"] == 512
    assert 0 < seen["left"] <= 2000 and len(seen["id"]) == 36
    assert seen["arn"].endswith(":function:p-fn-probe")


def test_a_raise_is_lambdas_unhandled_error(tmp_path: Path) -> None:
    spec = _write(tmp_path, "raiser", """
        def handler(event, context):
            raise KeyError("missing thing")
    """)
    answer = InProcessTransport(tmp_path).invoke(spec, b"{}", wait=None)
    assert answer.function_error == "Unhandled"
    body = _body(answer)
    assert body["errorType"] == "KeyError" and body["errorMessage"] == "'missing thing'"
    assert isinstance(body["stackTrace"], list)


def test_running_past_the_functions_timeout_is_lambdas_timeout(tmp_path: Path) -> None:
    spec = _write(tmp_path, "sleeper", """
        import threading
        gate = threading.Event()
        def handler(event, context):
            gate.wait(30)
    """)
    spec = FunctionSpec(spec.name, spec.function, timeout=1)
    answer = InProcessTransport(tmp_path).invoke(spec, b"{}", wait=10)
    assert answer.function_error == "Unhandled"
    assert _body(answer)["errorMessage"].endswith("Task timed out after 1.00 seconds")


def test_a_caller_that_cannot_wait_that_long_gets_a_timeout(tmp_path: Path) -> None:
    spec = _write(tmp_path, "slow", """
        import threading
        gate = threading.Event()
        def handler(event, context):
            gate.wait(30)
    """)
    spec = FunctionSpec(spec.name, spec.function, timeout=30)
    with pytest.raises(TimeoutError):
        InProcessTransport(tmp_path).invoke(spec, b"{}", wait=0.2)


@pytest.mark.parametrize("code, error_type", [
    ("def handler(event, context):\n    return {1, 2}\n", "Runtime.MarshalError"),
    (f"def handler(event, context):\n    return 'x' * {LAMBDA_PAYLOAD_LIMIT + 1}\n", "Function.ResponseSizeTooLarge"),
])
def test_an_answer_lambda_could_not_send_is_an_error(tmp_path: Path, code: str, error_type: str) -> None:
    (tmp_path / "f").mkdir()
    (tmp_path / "f" / "handler.py").write_text(code)
    answer = InProcessTransport(tmp_path).invoke(FunctionSpec("f", "p-fn-f"), b"{}", wait=None)
    assert answer.function_error == "Unhandled" and _body(answer)["errorType"] == error_type


def test_a_request_above_lambdas_limit_is_refused(tmp_path: Path) -> None:
    spec = _write(tmp_path, "any", "def handler(event, context):\n    return {}\n")
    with pytest.raises(ActionError, match="RequestEntityTooLargeException"):
        InProcessTransport(tmp_path).invoke(spec, b'"' + b"x" * LAMBDA_PAYLOAD_LIMIT + b'"', wait=None)


def test_a_function_that_does_not_import_names_its_file(tmp_path: Path) -> None:
    spec = _write(tmp_path, "broken", "import no_such_module_anywhere\n")
    with pytest.raises(ActionError, match=r"importing .*broken/handler.py failed: ModuleNotFoundError"):
        InProcessTransport(tmp_path).invoke(spec, b"{}", wait=None)


def test_functions_import_their_own_modules_and_the_shared_layer(tmp_path: Path) -> None:
    (tmp_path / "_shared" / "python").mkdir(parents=True)
    (tmp_path / "_shared" / "python" / "probe_shared_lib.py").write_text("VALUE = 'shared'\n")
    spec = _write(tmp_path, "uses", """
        import probe_shared_lib
        import probe_own_helper
        def handler(event, context):
            return {"result": [probe_shared_lib.VALUE, probe_own_helper.VALUE]}
    """)
    (tmp_path / "uses" / "probe_own_helper.py").write_text("VALUE = 'own'\n")
    assert _body(InProcessTransport(tmp_path).invoke(spec, b"{}", wait=None)) == {"result": ["shared", "own"]}


# ---------------------------------------------------------------------------- Lambda's Invoke API

class FakeLambda:
    def __init__(self, *outcomes: Any) -> None:
        self.outcomes = list(outcomes)
        self.calls: list[dict[str, Any]] = []

    def invoke(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


def _client_error(code: str, message: str = "") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "Invoke")


SPEC = FunctionSpec("shout", "p-fn-shout", timeout=20)


def test_invoke_is_synchronous_and_reads_the_function_error() -> None:
    fake = FakeLambda({"Payload": io.BytesIO(b'{"errorMessage": "x"}'), "FunctionError": "Unhandled",
                       "StatusCode": 200})
    timeouts: list[float] = []
    transport = LambdaTransport(lambda timeout: timeouts.append(timeout) or fake)
    answer = transport.invoke(SPEC, b'{"input": {}}', wait=100)
    assert answer.function_error == "Unhandled" and answer.payload == b'{"errorMessage": "x"}'
    assert fake.calls == [{"FunctionName": "p-fn-shout", "InvocationType": "RequestResponse",
                           "Payload": b'{"input": {}}'}]
    assert timeouts == [25]  # the function's timeout and a little more, not the caller's 100 s


def test_throttling_is_tried_again_other_errors_are_not() -> None:
    fake = FakeLambda(_client_error("TooManyRequestsException"), _client_error("TooManyRequestsException"),
                      {"Payload": io.BytesIO(b'{"result": 1}'), "StatusCode": 200})
    assert LambdaTransport(lambda t: fake).invoke(SPEC, b"{}", wait=None).payload == b'{"result": 1}'
    assert len(fake.calls) == 3
    fake = FakeLambda(_client_error("ServiceException", "internal"))
    with pytest.raises(ActionError, match="Could not invoke Lambda function p-fn-shout: ServiceException: internal"):
        LambdaTransport(lambda t: fake).invoke(SPEC, b"{}", wait=None)
    assert len(fake.calls) == 1


def test_a_function_that_is_not_deployed_says_so() -> None:
    fake = FakeLambda(_client_error("ResourceNotFoundException", "Function not found"))
    with pytest.raises(ActionError, match=r"p-fn-shout does not exist \(is functions/shout deployed"):
        LambdaTransport(lambda t: fake).invoke(SPEC, b"{}", wait=None)


def test_no_answer_in_time_is_a_timeout() -> None:
    fake = FakeLambda(ReadTimeoutError(endpoint_url="https://lambda"))
    timeouts: list[float] = []
    with pytest.raises(TimeoutError):
        LambdaTransport(lambda t: timeouts.append(t) or fake).invoke(SPEC, b"{}", wait=3.5)
    assert timeouts == [4]
