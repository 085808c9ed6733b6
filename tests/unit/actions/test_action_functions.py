"""fn.<name> actions: what the function receives, how its answer becomes the task's
result or error, large payloads through S3, and the shipped example run in this
process as `sirocco dev` runs it."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from sirocco.actions import ActionContext, ActionRegistry, default_registry, run_action
from sirocco.actions.function_actions import (
    FunctionSettings, S3Payloads, call_function, register_function_actions,
)
from sirocco.actions.function_catalog import ENV_VARIABLE, FunctionSpec, discover, to_env
from sirocco.actions.function_invokers import Invocation

FUNCTIONS = Path(__file__).resolve().parents[3] / "functions"
SPEC = FunctionSpec("shout", "p-fn-shout", "text, times=1", "Shouts.", timeout=20)


class FakeTransport:
    """Answers each invocation with the next canned answer; keeps the events."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.events: list[dict[str, Any]] = []
        self.waits: list[float | None] = []

    def invoke(self, spec: FunctionSpec, event: bytes, wait: float | None) -> Invocation:
        self.events.append(json.loads(event))
        self.waits.append(wait)
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        if isinstance(answer, Invocation):
            return answer
        return Invocation(json.dumps(answer).encode())


class FakeS3:
    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], bytes] = {}

    def put_object(self, Bucket: str, Key: str, Body: bytes) -> None:  # noqa: N803 - boto3's names
        self.objects[(Bucket, Key)] = Body

    def get_object(self, Bucket: str, Key: str) -> dict[str, Any]:  # noqa: N803
        return {"Body": io.BytesIO(self.objects[(Bucket, Key)])}


def _registry(transport: FakeTransport, **env: str) -> ActionRegistry:
    registry = ActionRegistry()
    register_function_actions(registry, {ENV_VARIABLE: to_env([SPEC]), **env}, transport=transport)
    return registry


def _ctx(**kwargs: Any) -> ActionContext:
    base = {"workflow_execution_id": "wf-1", "task_execution_id": "task-1", "action_execution_id": "t.1.0",
            "task_name": "t", "workflow_name": "w"}
    return ActionContext(**{**base, **kwargs})


def test_the_function_gets_its_input_with_defaults_and_the_ids() -> None:
    transport = FakeTransport({"result": "HI"})
    registry = _registry(transport, SIROCCO_PAYLOAD_BUCKET="bucket")
    result = run_action("fn.shout", {"text": "hi"}, _ctx(timeout=30, with_items_index=2), registry=registry)
    assert result.data == "HI"
    event = transport.events[0]
    assert event["version"] == 1 and event["action"] == "fn.shout"
    assert event["input"] == {"text": "hi", "times": 1}
    context = event["context"]
    assert {k: context[k] for k in ("workflow_execution_id", "task_execution_id", "action_execution_id",
                                    "task_name", "workflow_name", "with_items_index")} == {
        "workflow_execution_id": "wf-1", "task_execution_id": "task-1", "action_execution_id": "t.1.0",
        "task_name": "t", "workflow_name": "w", "with_items_index": 2}
    assert 29 < context["timeout"] <= 30 and 29 < transport.waits[0] <= 30
    assert event["payloads"]["bucket"] == "bucket" and event["payloads"]["prefix"] == "functions"


def test_the_action_shows_the_manifests_input_and_refuses_other_input() -> None:
    registry = _registry(FakeTransport())
    info = registry.describe("fn.shout")
    assert (info.input, info.description, info.is_sync) == ("text, times=1", "Shouts.", True)
    assert run_action("fn.shout", {"txt": "x"}, registry=registry).error.startswith(
        "Invalid input [name=fn.shout, class=")
    assert "missing=['text'], unexpected=['txt']" in run_action("fn.shout", {"txt": "x"}, registry=registry).error


def test_an_error_answer_fails_the_task_with_its_value() -> None:
    registry = _registry(FakeTransport({"error": {"code": 7}}))
    result = run_action("fn.shout", {"text": "x"}, _ctx(), registry=registry)
    assert result.is_error() and result.error == {"code": 7}


@pytest.mark.parametrize("answer, message", [
    (Invocation(json.dumps({"errorMessage": "boom", "errorType": "ValueError", "stackTrace": []}).encode(),
                "Unhandled"), "msg='ValueError: boom'"),
    (Invocation(b'{"errorMessage": "2024-01-01T00:00:00Z abc Task timed out after 20.00 seconds"}', "Unhandled"),
     "Task timed out after 20.00 seconds"),
    ({"answer": 42}, 'Lambda function p-fn-shout answered {"answer": 42}; an action function answers'),
    ({"error": None}, "answered {\"error\": null}"),
    ("just text", 'answered "just text"'),
])
def test_any_other_answer_fails_the_task_naming_the_function(answer: Any, message: str) -> None:
    result = run_action("fn.shout", {"text": "x"}, _ctx(), registry=_registry(FakeTransport(answer)))
    assert result.is_error()
    assert result.error.startswith("The action raised an exception [action=fn.shout, action_ex_id=t.1.0, msg=")
    assert message in result.error


def test_no_answer_within_the_tasks_timeout_is_a_timeout() -> None:
    result = run_action("fn.shout", {"text": "x"}, _ctx(timeout=3),
                        registry=_registry(FakeTransport(TimeoutError("no answer"))))
    assert "msg='Timeout after 3 seconds'" in result.error


def test_a_large_input_travels_through_s3_and_so_does_a_large_result() -> None:
    s3 = FakeS3()
    settings = FunctionSettings(payload_bucket="bucket", payload_limit=2000)
    payloads = S3Payloads("bucket", client=s3)
    big = "x" * 5000
    s3.put_object(Bucket="bucket", Key="functions/abc", Body=json.dumps({"text": big.upper()}).encode())
    transport = FakeTransport({"result_s3": {"bucket": "bucket", "key": "functions/abc"}})
    result = call_function(SPEC, {"text": big}, _ctx(), transport, settings, payloads)
    assert result == {"text": big.upper()}
    event = transport.events[0]
    assert "input" not in event and event["input_s3"]["bucket"] == "bucket"
    assert event["input_s3"]["key"].startswith("functions/")
    assert json.loads(s3.objects[("bucket", event["input_s3"]["key"])]) == {"text": big}
    assert event["payloads"]["limit"] == 2000


@pytest.mark.parametrize("where", [
    {"bucket": "bucket", "key": "executions/wf-2/secret"},
    {"bucket": "other", "key": "functions/abc"},
    "functions/abc",
])
def test_a_result_outside_the_functions_prefix_is_not_read(where: Any) -> None:
    transport = FakeTransport({"result_s3": where})
    settings = FunctionSettings(payload_bucket="bucket")
    with pytest.raises(Exception, match="result_s3 must name an object under functions/"):
        call_function(SPEC, {"text": "x"}, _ctx(), transport, settings, S3Payloads("bucket", client=FakeS3()))


def test_a_large_input_without_a_bucket_is_refused() -> None:
    settings = FunctionSettings(payload_bucket=None, payload_limit=500)
    with pytest.raises(Exception, match="above 500 bytes and no payload bucket"):
        call_function(SPEC, {"text": "x" * 1000}, _ctx(), FakeTransport(), settings, None)


def test_registering_again_replaces_the_function_actions() -> None:
    registry = default_registry.copy()
    before = len(registry)
    register_function_actions(registry, {ENV_VARIABLE: to_env([SPEC])}, transport=FakeTransport())
    assert "fn.shout" in registry and len(registry) == before + 1
    other = FunctionSpec("whisper", "p-fn-whisper")
    assert register_function_actions(registry, {ENV_VARIABLE: to_env([other])}, transport=FakeTransport()) == [
        "fn.whisper"]
    assert "fn.shout" not in registry and "std.echo" in registry
    assert registry.describe("fn.whisper").input == "**given"
    assert register_function_actions(registry, {}, transport=FakeTransport()) == []
    assert len(registry) == before


# ---------------------------------------------------------------------------- the shipped example, in-process

@pytest.fixture(scope="module")
def local() -> ActionRegistry:
    registry = ActionRegistry()
    register_function_actions(registry, {ENV_VARIABLE: to_env(discover(FUNCTIONS)),
                                         "SIROCCO_FUNCTIONS_DIR": str(FUNCTIONS)})
    return registry


@pytest.mark.parametrize("given, expected", [
    ({"text": "  Hello   World "}, "Hello   World"),
    ({"text": "  Hello   World ", "operations": ["squeeze", "upper", "reverse"]}, "DLROW OLLEH"),
    ({"text": "Crème Brûlée, 2 pots!", "operations": ["slug"]}, "creme-brulee-2-pots"),
    ({"text": "the end", "operations": "title"}, "The End"),
    ({"text": "", "operations": []}, ""),
])
def test_text_transform(local: ActionRegistry, given: dict[str, Any], expected: str) -> None:
    result = run_action("fn.text_transform", given, _ctx(timeout=30), registry=local)
    assert result.is_success(), result.error
    assert result.data == expected


def test_text_transform_refuses_an_unknown_operation_with_a_value(local: ActionRegistry) -> None:
    result = run_action("fn.text_transform", {"text": "x", "operations": ["upper", "shout"]}, _ctx(),
                        registry=local)
    assert result.error == {"unknown_operation": "shout",
                            "known": ["lower", "reverse", "slug", "squeeze", "strip", "title", "upper"]}


def test_text_transform_raising_is_reported_as_lambda_reports_it(local: ActionRegistry) -> None:
    result = run_action("fn.text_transform", {"text": 7}, _ctx(), registry=local)
    assert result.error == ("The action raised an exception [action=fn.text_transform, action_ex_id=t.1.0, "
                            "msg='TypeError: text must be a string, got int']")
