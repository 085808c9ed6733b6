"""The deployed template: infra/resources.yaml plus the declared executor targets
and the action functions of functions/ (stacktemplate.py), as `sirocco dev`
resolves it: target queues with the executor queue's settings and a poller's
event source, the function catalog in every Lambda's environment, and the
declarations it refuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sirocco.actions.function_catalog import FunctionSpec, discover, from_env
from sirocco.local.devtemplate import LocalPlan, load_template
from sirocco.local.stacktemplate import StackConfigError, Target, build, configured_targets, main, parse_targets

ROOT = Path(__file__).resolve().parents[3]


def test_targets_are_a_comma_separated_list_with_an_optional_concurrency() -> None:
    assert parse_targets(" special, gpu-big:5 ,, ") == [Target("special"), Target("gpu-big", 5)]
    assert parse_targets("") == [] and parse_targets(None) == []
    assert Target("gpu-big_two").logical == "GpuBigTwo"


@pytest.mark.parametrize("value, message", [
    ("has space", "is not a target name"),
    ("x" * 36, "is not a target name"),
    ("dlq", "not ending in dlq"),
    ("old-dlq", "not ending in dlq"),
    ("gpu:1", "must be 2..1000"),
    ("gpu:many", "must be 2..1000"),
    ("gpu-big,gpu_big", "clashes with another target"),
])
def test_a_target_that_cannot_be_a_queue_is_refused(value: str, message: str) -> None:
    with pytest.raises(StackConfigError, match=message):
        parse_targets(value)


def test_the_shells_targets_win_over_the_stages(tmp_path: Path) -> None:
    (tmp_path / ".chalice").mkdir()
    (tmp_path / ".chalice" / "config.json").write_text(json.dumps({
        "version": "2.0", "app_name": "x", "environment_variables": {"SIROCCO_EXECUTOR_TARGETS": "a"},
        "stages": {"prod": {"environment_variables": {"SIROCCO_EXECUTOR_TARGETS": "b,c:3"}}}}))
    assert configured_targets(tmp_path, "dev", {}) == [Target("a")]
    assert configured_targets(tmp_path, "prod", {}) == [Target("b"), Target("c", 3)]
    assert configured_targets(tmp_path, "prod", {"SIROCCO_EXECUTOR_TARGETS": ""}) == []


def test_sirocco_dev_makes_and_polls_a_targets_queue_like_the_executors() -> None:
    template = build(load_template(), targets=[Target("special"), Target("gpu", 5)])
    plan = LocalPlan.from_template(template, parameters={"Prefix": "p"})
    default = plan.queue_named("p-executor")
    special = plan.queue_named("p-executor-special")
    assert default is not None and special is not None
    assert {k: v for k, v in special.attributes.items() if k != "RedrivePolicy"} == {
        k: v for k, v in default.attributes.items() if k != "RedrivePolicy"}
    assert json.loads(special.attributes["RedrivePolicy"])["deadLetterTargetArn"].endswith(":p-executor-special-dlq")
    assert special.tags["sirocco:component"] == "executor-special"
    assert [(e.function, e.queue, e.batch_size, e.max_concurrency) for e in plan.event_sources] == [
        ("Executor", "p-executor-special", 10, None), ("Executor", "p-executor-gpu", 10, 5)]
    assert "p-executor-gpu-dlq" in {q.name for q in plan.queues}
    # the base template alone adds no event source and no target queue
    assert LocalPlan.from_template(load_template()).event_sources == []


def test_every_lambda_gets_the_function_catalog_with_the_stacks_names() -> None:
    functions = discover(ROOT / "functions")
    template = build(load_template(), functions=functions, functions_dir=ROOT / "functions")
    plan = LocalPlan.from_template(template, parameters={"Prefix": "prod"})
    (spec,) = from_env(plan.environment)
    assert (spec.action, spec.function, spec.input) == ("fn.text_transform", "prod-fn-text_transform",
                                                        'text, operations=["strip"]')
    for name in ("Engine", "Executor", "Timer", "Notifier", "APIHandler"):
        assert "SIROCCO_FUNCTIONS" in template["Resources"][name]["Properties"]["Environment"]["Variables"], name


def test_a_description_with_a_dollar_brace_survives_the_substitution(tmp_path: Path) -> None:
    spec = FunctionSpec("odd", "x", description="costs ${price}")
    (tmp_path / "odd").mkdir()
    template = build(load_template(), functions=[spec], functions_dir=tmp_path)
    plan = LocalPlan.from_template(template)
    assert from_env(plan.environment)[0].description == "costs ${price}"


def test_too_many_functions_for_lambdas_environment_are_refused(tmp_path: Path) -> None:
    specs = [FunctionSpec(f"f{i}", "x", input="text", description="d" * 100) for i in range(30)]
    with pytest.raises(StackConfigError, match="of Lambda's 4 KB of environment variables"):
        build(load_template(), functions=specs, functions_dir=tmp_path)


def test_the_command_writes_a_template_and_explains_a_refusal(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "resources.yaml"
    assert main(["--app-dir", str(ROOT), "--targets", "special", "-o", str(out)]) == 0
    written = load_template(out)
    assert "ExecutorQueueSpecial" in written["Resources"] and "ActionFunctionTextTransform" in written["Resources"]
    assert main(["--app-dir", str(ROOT), "--targets", "dlq", "-o", str(out)]) == 1
    assert "stacktemplate: SIROCCO_EXECUTOR_TARGETS: 'dlq' is not a target name" in capsys.readouterr().err
