"""`chalice package --merge-template infra/resources.yaml` gives one template that
cfn-lint passes, in which every SQS handler of app.py reads the queue the
template creates, reports partial batch failures, runs as the template's role
and gets the template's resource names."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from sirocco.local.devtemplate import _CfnLoader, load_template

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
    done = subprocess.run([chalice, "package", "--merge-template", "infra/resources.yaml", str(out)],
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
    ours = load_template()
    queues = {name for name, r in ours["Resources"].items() if r.get("Type") == "AWS::SQS::Queue"}
    resources = merged["Resources"]
    functions = {name: r for name, r in resources.items() if r.get("Type") == "AWS::Serverless::Function"}
    sources = {}
    for name, function in functions.items():
        props = function["Properties"]
        assert props["Role"] == {"Fn::GetAtt": ["LambdaRole", "Arn"]}, name
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
            sources[name] = target
    assert sorted(sources.values()) == sorted(
        ["EngineQueue", "ExecutorQueue", "TimerQueue", "NotifierQueue"]), sources
    # every function the template overrides exists in Chalice's output (else the
    # merge would leave a resource with no Type)
    for name, resource in ours["Resources"].items():
        if "Type" not in resource:
            assert name in functions, f"{name}: overridden in infra/resources.yaml, not made by Chalice"
