"""Usage values, prices, the ledger's shares, attribution and the report's arithmetic."""

from __future__ import annotations

import json

import pytest

from sirocco.metering import attribution
from sirocco.metering.display import render
from sirocco.metering.functions import config_path, memory_mb
from sirocco.metering.ledger import UNATTRIBUTED, Ledger
from sirocco.metering.prices import LIST_PRICES
from sirocco.metering.report import cost_report, steps
from sirocco.metering.usage import Usage


def test_usages_add_line_by_line_and_scale() -> None:
    a = Usage.of("dynamodb", "PutItem", requests=1, units=2, bytes=100)
    b = Usage.of("dynamodb", "PutItem", requests=2, units=3) + Usage.of("sqs-fifo", "SendMessage", units=1)
    total = a + b
    assert total.lines[("dynamodb", "PutItem")].units == 5
    assert total.lines[("dynamodb", "PutItem")].requests == 3
    assert total.scaled(0.5).lines[("sqs-fifo", "SendMessage")].units == 0.5
    assert total.service("dynamodb").requests == 3


def test_list_prices_per_service() -> None:
    usage = (Usage.of("lambda", "engine", requests=1_000_000, units=1_000_000)
             + Usage.of("dynamodb", "PutItem", units=1_000_000) + Usage.of("dynamodb", "GetItem", units=1_000_000)
             + Usage.of("sqs-fifo", "SendMessageBatch", units=1_000_000)
             + Usage.of("sqs-standard", "SendMessage", units=1_000_000)
             + Usage.of("apigateway", "POST", requests=1_000_000)
             + Usage.of("scheduler", "Invocation", units=1_000_000) + Usage.of("scheduler", "CreateSchedule")
             + Usage.of("s3", "PutObject", requests=1000) + Usage.of("s3", "GetObject", requests=1000)
             + Usage.of("sts", "GetCallerIdentity"))
    cost = usage.cost(LIST_PRICES)
    assert cost["lambda"] == pytest.approx(0.20 + 13.3334)  # arm64
    assert cost["dynamodb"] == pytest.approx(0.625 + 0.125)
    assert cost["sqs-fifo"] == pytest.approx(0.50)
    assert cost["sqs-standard"] == pytest.approx(0.40)
    assert cost["apigateway"] == pytest.approx(3.50)
    assert cost["scheduler"] == pytest.approx(1.00)
    assert cost["s3"] == pytest.approx(0.005 + 0.0004)
    assert cost["sts"] == 0.0
    assert usage.total() == pytest.approx(sum(cost.values()))


def test_lambda_time_is_priced_for_the_architecture_chalice_deploys() -> None:
    path = config_path()
    assert path is not None
    config = json.loads(path.read_text(encoding="utf-8"))
    chosen = [layer.get("lambda_architecture") for layer in (config.get("stages", {}).get("dev", {}), config)]
    architecture = next((a for a in chosen if a), "x86_64")  # Chalice's default
    assert LIST_PRICES.lambda_gb_second == {"x86_64": 0.0000166667, "arm64": 0.0000133334}[architecture]


def test_a_shared_request_is_split_evenly_and_nobodys_is_unattributed() -> None:
    ledger = Ledger()
    ledger.charge(["a", "b"], Usage.of("sqs-fifo", "SendMessageBatch", units=1))
    ledger.charge([], Usage.of("dynamodb", "Query", units=2))
    assert ledger.usage("a").lines[("sqs-fifo", "SendMessageBatch")].units == 0.5  # type: ignore[union-attr]
    assert ledger.usage(UNATTRIBUTED).lines[("dynamodb", "Query")].units == 2  # type: ignore[union-attr]
    assert ledger.usage("c") is None


def test_the_ledger_keeps_the_executions_charged_last() -> None:
    ledger = Ledger(kept=2)
    for owner in ("a", "b", "a", "c"):
        ledger.charge([owner], Usage.of("dynamodb", "GetItem", units=1))
    assert ledger.usage("b") is None
    assert ledger.usage("a").lines[("dynamodb", "GetItem")].units == 2  # type: ignore[union-attr]


def test_the_executions_of_a_batch_from_groups_and_envelopes() -> None:
    records = [{"attributes": {"MessageGroupId": "e1"}, "body": "{}"},
               {"attributes": {}, "body": json.dumps({"v": 1, "type": "CallFired", "to": "e2", "fields": {}})},
               {"attributes": {"MessageGroupId": "e1"}, "body": "{}"},
               {"attributes": {}, "body": "not json"}]
    assert attribution.batch_owners(records) == ("e1", "e2")


def test_working_for_nests_and_restores() -> None:
    before = attribution.owners()
    with attribution.working_for("a", "b"):
        assert attribution.owners() == ("a", "b")
        with attribution.working_for("c"):
            assert attribution.owners() == ("c",)
        assert attribution.owners() == ("a", "b")
    assert attribution.owners() == before


def test_memory_per_function_from_the_chalice_config() -> None:
    config = {"lambda_memory_size": 512,
              "stages": {"dev": {"lambda_functions": {"engine": {"lambda_memory_size": 1024}}}}}
    assert memory_mb(config, "engine") == 1024
    assert memory_mb(config, "api_handler") == 512
    assert memory_mb({}, "engine") == 128


def test_steps_count_each_action_run_beyond_a_tasks_first() -> None:
    assert steps(3, [1, 1, 1]) == 3
    assert steps(1, [1000]) == 1000
    assert steps(2, [2, 1]) == 3  # a retry
    assert steps(1, [0]) == 1  # a task that ran no action


def test_a_report_adds_up_and_prices_step_functions_beside_it() -> None:
    own = (Usage.of("lambda", "engine", requests=2, units=0.1) + Usage.of("dynamodb", "PutItem", units=4)
           + Usage.of("sqs-fifo", "SendMessageBatch", units=2))
    child = Usage.of("dynamodb", "PutItem", units=2)
    report = cost_report({"id": "e", "state": "SUCCESS", "workflow_name": "wf"}, own, 2, 2, {"c": (child, 1)})
    assert report["metered"] is True
    lines = sum(r["cost"] for r in report["requests"]) + sum(f["cost"] for f in report["lambda"].values())
    assert report["cost"]["total"] == pytest.approx(lines)
    assert report["cost"]["total"] == pytest.approx(sum(report["cost"]["by_service"].values()))
    assert report["cost"]["per_step"] == pytest.approx(report["cost"]["total"] / 2)
    assert report["step_functions_standard"]["cost"] == pytest.approx(50 / 1_000_000)
    tree = report["including_sub_executions"]
    assert tree["steps"] == 3
    assert tree["cost"]["total"] == pytest.approx(report["cost"]["total"] + 2 * 0.625e-6)
    assert "execution e (wf): SUCCESS" in render(report)


def test_an_execution_not_metered_says_so() -> None:
    report = cost_report({"id": "e", "state": "SUCCESS"}, None, 1, 1, {})
    assert report["metered"] is False and report["cost"]["total"] == 0
    assert "not metered" in render(report)
    partial = cost_report({"id": "e", "state": "SUCCESS"}, Usage.of("dynamodb", "PutItem", units=1), 1, 1, {},
                          complete=False)
    assert partial["metered"] is False and partial["cost"]["total"] > 0


def test_a_log_line_is_billed_by_its_utf8_bytes(capsys: pytest.CaptureFixture[str]) -> None:
    from sirocco.handlers import logs
    from sirocco.metering import meter

    kept = Ledger()
    meter.install(ledger=kept)
    try:
        with attribution.working_for("ex-1"):
            logs.always("metric", name="é" * 100)  # 2 bytes a character
    finally:
        meter.uninstall()
    written = capsys.readouterr().out
    usage = kept.usage("ex-1")
    assert usage is not None and usage.lines[("logs", "ingested")].bytes == len(written.encode("utf-8"))
