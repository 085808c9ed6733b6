"""The metric lines the handlers write: CloudWatch embedded metric format (EMF)
that CloudWatch Logs turns into the metrics the dashboard and the engine-lag
alarm of infra/resources.yaml read. Each line is checked against EMF's rules
(every named metric and dimension present at the top level, numbers, at most
100 values), and for what an operator would read off it."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import pytest

from sirocco.engine import RunAction
from sirocco.handlers import executor, logs, metrics
from sirocco.messaging import envelopes
from sirocco.messaging import lambda_events as le


def _lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def _metric_lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    found = [line for line in _lines(capsys.readouterr().out) if "_aws" in line]
    for line in found:
        _check_emf(line)
    return found


def _check_emf(line: dict[str, Any]) -> None:
    """EMF's rules (CloudWatch drops a line that breaks them)."""
    meta = line["_aws"]
    assert isinstance(meta["Timestamp"], int) and abs(meta["Timestamp"] / 1000 - time.time()) < 3600
    for directive in meta["CloudWatchMetrics"]:
        assert directive["Namespace"] == "Sirocco"
        assert 1 <= len(directive["Metrics"]) <= 100
        for dimension_set in directive["Dimensions"]:
            assert len(dimension_set) <= 30
            for name in dimension_set:
                assert isinstance(line[name], str) and line[name], name
        for metric in directive["Metrics"]:
            value = line[metric["Name"]]
            values = value if isinstance(value, list) else [value]
            assert 1 <= len(values) <= 100 and all(isinstance(v, (int, float)) for v in values), metric
            assert metric["Unit"] in ("Count", "Seconds", "Milliseconds")


def _values(line: dict[str, Any]) -> dict[str, Any]:
    return {m["Name"]: line[m["Name"]] for d in line["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]}


@pytest.fixture(autouse=True)
def _service(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIROCCO_PREFIX", "prod")
    monkeypatch.setenv("SIROCCO_METRICS_NAMESPACE", "Sirocco")
    monkeypatch.delenv("SIROCCO_METRICS", raising=False)


@pytest.mark.parametrize("before, after, expected", [
    (None, "RUNNING", {"ExecutionsStarted": 1}),
    ("IDLE", "RUNNING", {"ExecutionsStarted": 1}),
    ("RUNNING", "SUCCESS", {"ExecutionsSucceeded": 1}),
    ("RUNNING", "ERROR", {"ExecutionsFailed": 1}),
    ("PAUSED", "CANCELLED", {"ExecutionsCancelled": 1}),
    ("IDLE", "ERROR", {"ExecutionsStarted": 1, "ExecutionsFailed": 1}),  # failed at its start
    ("ERROR", "RUNNING", {}),  # a rerun is not a new execution
])
def test_an_execution_changing_state_is_counted(capsys: pytest.CaptureFixture[str], before: str | None,
                                                 after: str, expected: dict[str, int]) -> None:
    metrics.execution_changed("wf-1", "greet", before, after)
    lines = _metric_lines(capsys)
    if not expected:
        assert lines == []
        return
    (line,) = lines
    assert _values(line) == expected
    assert line["Service"] == "prod" and line["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["Service"]]
    assert (line["execution_id"], line["workflow"], line["after"]) == ("wf-1", "greet", after)


@pytest.mark.parametrize("state", ["RUNNING", "SUCCESS", "PAUSED"])
def test_a_batch_that_left_the_state_as_it_was_counts_nothing(capsys: pytest.CaptureFixture[str],
                                                              state: str) -> None:
    metrics.execution_changed("wf-1", "greet", state, state)
    assert _metric_lines(capsys) == []


def _event(*sent_seconds_ago: float, now: float) -> dict[str, Any]:
    return {"Records": [{"messageId": f"m{i}", "body": "{}", "eventSourceARN": "arn:aws:sqs:us-east-1:1:prod-engine.fifo",
                         "attributes": {"SentTimestamp": str(int((now - ago) * 1000))}}
                        for i, ago in enumerate(sent_seconds_ago)]}


def test_a_handled_batch_reports_messages_failures_and_the_oldest_wait(capsys: pytest.CaptureFixture[str]) -> None:
    now = time.time()
    handle = metrics.measured("engine", lambda event, context: le.batch_response(["m1"]))
    assert handle(_event(2.0, 40.0, 5.0, now=now), None) == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    (line,) = _metric_lines(capsys)
    values = _values(line)
    assert (values["Messages"], values["FailedMessages"]) == (3, 1)
    assert 40.0 <= values["MessageAge"] < 45 and values["BatchDuration"] >= 0
    assert (line["msg"], line["Service"], line["Handler"]) == ("handler batch", "prod", "engine")
    assert line["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["Service", "Handler"]]


def test_a_handler_that_raises_counts_its_whole_batch_failed(capsys: pytest.CaptureFixture[str]) -> None:
    def crash(event: Any, context: Any) -> Any:
        raise RuntimeError("DynamoDB is down")

    with pytest.raises(RuntimeError):
        metrics.measured("timer", crash)(_event(1.0, 1.0, now=time.time()), None)
    (line,) = _metric_lines(capsys)
    assert (_values(line)["Messages"], _values(line)["FailedMessages"], line["Handler"]) == (2, 2, "timer")


def test_metric_lines_ignore_the_log_level_and_can_be_turned_off(capsys: pytest.CaptureFixture[str],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    level = logs.logger.level
    logs.logger.setLevel(logging.ERROR)
    try:
        metrics.execution_changed("wf-1", "greet", None, "RUNNING")
        assert len(_metric_lines(capsys)) == 1
        monkeypatch.setenv("SIROCCO_METRICS", "off")
        metrics.execution_changed("wf-1", "greet", None, "RUNNING")
        assert _metric_lines(capsys) == []
    finally:
        logs.logger.setLevel(level)


def test_an_executor_batch_reports_its_actions_by_queue(rt: Any, delivery: Any,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    commands = [RunAction("wf-m", action_id=f"t.1.{i}", task_id="t", name=name, input=given, index=i)
                for i, (name, given) in enumerate([("std.echo", {"output": 1}), ("std.echo", {"output": 2}),
                                                   ("std.fail", {})])]
    queue = rt.queue_settings.executor_queue_for("special")
    event = {"Records": [{"messageId": f"m{i}", "body": envelopes.encode(cmd),
                          "eventSourceARN": rt.queues.arn(queue), "attributes": {"ApproximateReceiveCount": "1"}}
                         for i, cmd in enumerate(commands)]}
    capsys.readouterr()
    assert le.failed_ids(executor.handle(event, None, rt)) == set()
    out = capsys.readouterr().out
    ran = [line for line in _lines(out) if line.get("msg") == "action ran"]
    assert sorted((line["action_id"], line["state"], line["queue"]) for line in ran) == [
        ("t.1.0", "SUCCESS", queue), ("t.1.1", "SUCCESS", queue), ("t.1.2", "ERROR", queue)]
    (line,) = [line for line in _lines(out) if "_aws" in line]
    _check_emf(line)
    values = _values(line)
    assert (values["ActionsSucceeded"], values["ActionsFailed"], len(values["ActionDuration"])) == (2, 1, 3)
    assert line["Queue"] == queue
    assert line["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["Service"], ["Service", "Queue"]]


def test_an_execution_counts_once_started_and_once_finished_under_duplicate_delivery(
        client: Any, rt: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from .delivery import Delivery
    from .helpers import start, upload

    name = f"counted_{time.time_ns()}"
    upload(client, f"version: '2.0'\n{name}:\n  tasks:\n    a:\n      action: std.noop\n      on-success: [b]\n"
                   "    b:\n      action: std.fail\n")
    capsys.readouterr()
    execution_id = start(client, name)["id"]
    assert Delivery(rt, duplicate=True).run_execution(execution_id).state == "ERROR"
    counted = [_values(line) for line in _metric_lines(capsys)
               if line.get("msg") == "execution state" and line.get("execution_id") == execution_id]
    assert counted == [{"ExecutionsStarted": 1}, {"ExecutionsFailed": 1}]
