"""`chalice package --merge-template` of the generated stack template (infra/resources.yaml,
an executor target and the action functions of functions/, as infra/deploy.sh makes it)
gives one template that cfn-lint passes, in which every SQS handler of app.py reads the
queues the template creates (the target's too), reports partial batch failures, runs as
the template's role and gets the template's resource names; the action functions are
Lambdas the executor may invoke, and the dashboard is valid JSON."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from sirocco.local.devtemplate import Resolver, _CfnLoader

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent


def _tool(name: str) -> str | None:
    found = BIN / name
    return str(found) if found.exists() else shutil.which(name)


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (ROOT / "app.py").is_file():
        pytest.skip("app.py (the Chalice app) is not there yet")
    chalice = _tool("chalice")
    if chalice is None:
        pytest.skip("chalice is not installed")
    out = tmp_path_factory.mktemp("package") / "out"
    env = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1"}
    for name in ("AWS_ENDPOINT_URL", "SIROCCO_ENGINE_QUEUE", "SIROCCO_EXECUTOR_QUEUE",
                 "SIROCCO_TIMER_QUEUE", "SIROCCO_NOTIFIER_QUEUE"):
        env.pop(name, None)  # the app reads its queue names at import (packaging) time
    merge = out.parent / "resources.yaml"
    done = subprocess.run([sys.executable, "-m", "sirocco.local.stacktemplate", "--targets", "special,gpu-big:5",
                           "-o", str(merge)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    done = subprocess.run([chalice, "package", "--merge-template", str(merge), str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    template = out / "sam.yaml"
    assert template.is_file(), list(out.iterdir())
    return template


def _load(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_CfnLoader)  # noqa: S506 - a SafeLoader subclass


def test_cfn_lint_finds_no_error(packaged: Path) -> None:
    lint = _tool("cfn-lint")
    if lint is None:
        pytest.skip("cfn-lint is not installed (pip install -e '.[test]')")
    done = subprocess.run([lint, str(packaged)], capture_output=True, text=True, timeout=300)
    # exit status bits: 2 errors, 4 warnings, 8 informational
    assert done.returncode & 2 == 0 and done.returncode in (0, 4, 8, 12), done.stdout + done.stderr


def test_every_sqs_handler_is_wired_to_the_template(packaged: Path) -> None:
    merged = _load(packaged)
    ours = _load(packaged.parent.parent / "resources.yaml")
    queues = {name for name, r in ours["Resources"].items() if r.get("Type") == "AWS::SQS::Queue"}
    resources = merged["Resources"]
    functions = {name: r for name, r in resources.items() if r.get("Type") == "AWS::Serverless::Function"
                 and not name.startswith("ActionFunction")}
    sources: dict[str, list[str]] = {}
    for name, function in functions.items():
        props = function["Properties"]
        assert props["Role"] == {"Fn::GetAtt": ["LambdaRole", "Arn"]}, name
        assert props["Architectures"] == ["arm64"], name  # Graviton: the price the cost model uses
        variables = props["Environment"]["Variables"]
        assert variables["SIROCCO_PAYLOAD_BUCKET"] == {"Ref": "PayloadBucket"}, name
        assert variables["SIROCCO_EXECUTIONS_TABLE"] == {"Ref": "ExecutionsTable"}, name
        for event_name, event in (props.get("Events") or {}).items():
            if event["Type"] != "SQS":
                continue
            sqs = event["Properties"]
            assert sqs["FunctionResponseTypes"] == ["ReportBatchItemFailures"], event_name
            queue = sqs["Queue"]
            assert set(queue) == {"Fn::Sub"}, f"{event_name}: {queue} (an override that did not replace)"
            target = queue["Fn::Sub"].removeprefix("${").removesuffix(".Arn}")
            assert target in queues, f"{event_name} reads {queue}, not a queue of infra/resources.yaml"
            sources.setdefault(name, []).append(target)
            if target == "ExecutorQueueGpuBig":
                assert sqs["ScalingConfig"] == {"MaximumConcurrency": 5}
    assert {name: sorted(queues) for name, queues in sources.items()} == {
        "Engine": ["EngineQueue"], "Executor": ["ExecutorQueue", "ExecutorQueueGpuBig", "ExecutorQueueSpecial"],
        "Timer": ["TimerQueue"], "Notifier": ["NotifierQueue"], "Events": ["EventsQueue"]}, sources
    for name in ("ExecutorQueueSpecial", "ExecutorQueueGpuBig"):
        queue = resources[name]["Properties"]
        assert queue["VisibilityTimeout"] == resources["ExecutorQueue"]["Properties"]["VisibilityTimeout"]
        dlq = queue["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        assert resources[dlq]["Type"] == "AWS::SQS::Queue"
    assert resources["ExecutorQueueSpecial"]["Properties"]["QueueName"] == {"Fn::Sub": "${Prefix}-executor-special"}
    # every function the template overrides exists in Chalice's output (else the
    # merge would leave a resource with no Type)
    for name, resource in ours["Resources"].items():
        if "Type" not in resource:
            assert name in functions, f"{name}: overridden in infra/resources.yaml, not made by Chalice"


def test_action_functions_are_lambdas_the_executor_may_invoke(packaged: Path) -> None:
    resources = _load(packaged)["Resources"]
    function = resources["ActionFunctionTextTransform"]["Properties"]
    assert function["FunctionName"] == {"Fn::Sub": "${Prefix}-fn-text_transform"}
    assert Path(function["CodeUri"]) == ROOT / "functions" / "text_transform"
    assert (function["Handler"], function["Timeout"], function["MemorySize"]) == ("handler.handler", 30, 256)
    assert function["Role"] == {"Fn::GetAtt": ["ActionFunctionRole", "Arn"]}
    assert function["Layers"] == [{"Ref": "ActionFunctionsLayer"}]
    assert Path(resources["ActionFunctionsLayer"]["Properties"]["ContentUri"]) == ROOT / "functions" / "_shared"
    # the executor's catalog, in every function of the app
    for name in ("Engine", "Executor", "APIHandler"):
        catalog = resources[name]["Properties"]["Environment"]["Variables"]["SIROCCO_FUNCTIONS"]["Fn::Sub"]
        assert '"function":"${Prefix}-fn-text_transform"' in catalog, name
    # ... which may invoke them (and the functions reach only their payloads)
    statements = resources["LambdaRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    invoke = next(s for s in statements if s["Action"] == "lambda:InvokeFunction")
    assert invoke["Resource"]["Fn::Sub"].endswith(":function:${Prefix}-fn-*")
    payloads = resources["ActionFunctionRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert [s["Resource"] for s in payloads] == [{"Fn::Sub": "${PayloadBucket.Arn}/functions/*"}]


def test_the_dashboard_is_json_with_a_row_per_target(packaged: Path) -> None:
    template = _load(packaged.parent.parent / "resources.yaml")
    body = Resolver(template).resolve(template["Resources"]["Dashboard"]["Properties"]["DashboardBody"])
    widgets = json.loads(body)["widgets"]
    titles = [w["properties"].get("title") for w in widgets]
    assert "target special: depth" in titles and "target gpu-big: dead-letter queue" in titles
    executions = widgets[titles.index("Executions started / finished")]["properties"]["metrics"]
    assert executions[0] == ["Sirocco", "ExecutionsStarted", "Service", "sirocco"]
    waits = widgets[titles.index("Wait before handling (s, oldest message of a batch)")]["properties"]["metrics"]
    assert waits[0] == ["Sirocco", "MessageAge", "Service", "sirocco", "Handler", "engine"]
    alarm = template["Resources"]["EngineLagAlarm"]["Properties"]
    read = {m["Id"]: m.get("MetricStat", {}).get("Metric", {}).get("MetricName") for m in alarm["Metrics"]}
    assert read == {"queued": "ApproximateAgeOfOldestMessage", "handled": "MessageAge", "lag": None}
