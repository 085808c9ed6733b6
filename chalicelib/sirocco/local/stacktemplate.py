"""The template that is deployed: infra/resources.yaml plus what configuration adds.

Two parts of the stack depend on configuration, not on the hand-written file:

- **executor targets** (``SIROCCO_EXECUTOR_TARGETS``, a comma-separated list of
  names, each optionally ``name:N`` for at most N concurrent batches): a task
  ``target: special`` sends its actions to ``<prefix>-executor-special``. Per
  target this adds that queue and its dead-letter queue (copies of the default
  executor queue's settings), an SQS event source of the Executor function, a
  dead-letter alarm, and a dashboard row;
- **action functions** (every ``functions/<name>/function.json``): a Lambda
  ``<prefix>-fn-<name>`` per function, the layer of ``functions/_shared`` they
  all use, and the catalog ``SIROCCO_FUNCTIONS`` in every function's environment
  (the executor's list of ``fn.<name>`` actions).

``build`` makes the template; `sirocco dev` reads the result (so its queues and
pollers are the deployed ones), and infra/deploy.sh writes it to a file for
``chalice package --merge-template``::

    python -m sirocco.local.stacktemplate --stage dev -o out/resources.yaml
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import yaml

from sirocco.actions.function_catalog import ENV_VARIABLE, FunctionSpec, discover, to_env
from sirocco.actions.function_invokers import SHARED_DIR

from .devtemplate import default_template_path, load_template

TARGETS_VARIABLE = "SIROCCO_EXECUTOR_TARGETS"
FUNCTION_RUNTIME = "python3.12"
#: what SIROCCO_FUNCTIONS may take of Lambda's 4 KB of environment variables
FUNCTIONS_ENV_BUDGET = 2500
_TARGET = re.compile(r"^[A-Za-z0-9_-]{1,35}$")
_PLACEHOLDER = "@@PREFIX@@"


class StackConfigError(ValueError):
    """Configuration the template cannot be made from (message for the user)."""


@dataclass(frozen=True)
class Target:
    """One executor target: its name in workflows and how many batches may run at once."""

    name: str
    max_concurrency: int | None = None

    @property
    def logical(self) -> str:
        """The CloudFormation id part: ``gpu-big`` -> ``GpuBig``."""
        return "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_]+", self.name) if part)


def parse_targets(value: str | None) -> list[Target]:
    """``"special, gpu:5"`` -> targets; ``StackConfigError`` naming what is wrong."""
    targets: list[Target] = []
    for item in (value or "").split(","):
        item = item.strip()
        if not item:
            continue
        name, _, limit = item.partition(":")
        name = name.strip()
        if not _TARGET.match(name) or name.lower() == "dlq" or name.lower().endswith(("-dlq", "_dlq")):
            raise StackConfigError(f"{TARGETS_VARIABLE}: {name!r} is not a target name (letters, digits, - and _, "
                                   "at most 35, not ending in dlq)")
        concurrency = None
        if limit.strip():
            if not limit.strip().isdigit() or not 2 <= int(limit) <= 1000:
                raise StackConfigError(f"{TARGETS_VARIABLE}: {item!r}: the concurrency after ':' must be 2..1000 "
                                       "(Lambda's MaximumConcurrency)")
            concurrency = int(limit)
        target = Target(name, concurrency)
        if any(t.logical == target.logical for t in targets):
            raise StackConfigError(f"{TARGETS_VARIABLE}: {name!r} clashes with another target of the same letters")
        targets.append(target)
    return targets


# ---------------------------------------------------------------------------- building

def build(base: Mapping[str, Any], *, targets: Sequence[Target] = (), functions: Sequence[FunctionSpec] = (),
          functions_dir: Path | None = None) -> dict[str, Any]:
    """``base`` (infra/resources.yaml as loaded) with the targets and the functions added."""
    template = copy.deepcopy(dict(base))
    resources = template["Resources"]
    for target in targets:
        _add_target(template, resources, target)
    if functions:
        if functions_dir is None:
            raise StackConfigError("functions given without the directory that holds them")
        _add_functions(template, resources, functions, functions_dir.resolve())
    return template


def _tags(resource: dict[str, Any], component: str) -> None:
    tags = resource["Properties"].get("Tags")
    if isinstance(tags, list):
        resource["Properties"]["Tags"] = [
            {"Key": t["Key"], "Value": component} if t.get("Key") == "sirocco:component" else t for t in tags]


def _add_target(template: dict[str, Any], resources: dict[str, Any], target: Target) -> None:
    queue_id, dlq_id = f"ExecutorQueue{target.logical}", f"ExecutorDeadLetterQueue{target.logical}"
    if queue_id in resources:
        raise StackConfigError(f"target {target.name!r}: {queue_id} is already in the template")
    queue = copy.deepcopy(resources["ExecutorQueue"])
    queue["Properties"]["QueueName"] = {"Fn::Sub": f"${{Prefix}}-executor-{target.name}"}
    queue["Properties"]["RedrivePolicy"]["deadLetterTargetArn"] = {"Fn::GetAtt": [dlq_id, "Arn"]}
    _tags(queue, f"executor-{target.name}")
    dlq = copy.deepcopy(resources["ExecutorDeadLetterQueue"])
    dlq["Properties"]["QueueName"] = {"Fn::Sub": f"${{Prefix}}-executor-{target.name}-dlq"}
    _tags(dlq, f"executor-{target.name}-dlq")
    resources[queue_id], resources[dlq_id] = queue, dlq

    alarm = copy.deepcopy(resources["ExecutorDeadLetterAlarm"])
    alarm["Properties"]["AlarmName"] = {"Fn::Sub": f"${{Prefix}}-executor-{target.name}-dlq-not-empty"}
    alarm["Properties"]["AlarmDescription"] = (f"Action runs of target {target.name} were given up after "
                                               "MaxReceiveCount deliveries. Inspect and redrive the DLQ.")
    alarm["Properties"]["Dimensions"] = [{"Name": "QueueName", "Value": {"Fn::GetAtt": [dlq_id, "QueueName"]}}]
    resources[f"ExecutorDeadLetterAlarm{target.logical}"] = alarm

    # the Executor function (Chalice's) reads the target queue too
    source = copy.deepcopy(resources["Executor"]["Properties"]["Events"]["ExecutorSqsEventSource"]["Properties"])
    source.update({"Queue": {"Fn::Sub": f"${{{queue_id}.Arn}}"}, "BatchSize": 10})
    if target.max_concurrency:
        source["ScalingConfig"] = {"MaximumConcurrency": target.max_concurrency}
    resources["Executor"]["Properties"]["Events"][f"Executor{target.logical}SqsEventSource"] = {
        "Type": "SQS", "Properties": source}
    _add_dashboard_row(resources, target, queue_id, dlq_id)


def _add_dashboard_row(resources: dict[str, Any], target: Target, queue_id: str, dlq_id: str) -> None:
    """Three widgets for the target's queue, below the others: depth, age of the oldest message, DLQ."""
    body = resources["Dashboard"]["Properties"]["DashboardBody"]
    text = body["Fn::Sub"]
    end = text.rstrip().rfind("]")
    if end < 0:
        raise StackConfigError("Dashboard: DashboardBody has no widget list to extend")
    bottom = max((int(y) + int(h) for y, h in re.findall(r'"y":\s*(\d+),\s*"width":\s*\d+,\s*"height":\s*(\d+)',
                                                       text)), default=0)
    y = bottom  # below everything, earlier targets' rows included
    widgets = []
    for x, (title, metric, queue) in enumerate((
            ("depth", "ApproximateNumberOfMessagesVisible", queue_id),
            ("age of oldest message (s)", "ApproximateAgeOfOldestMessage", queue_id),
            ("dead-letter queue", "ApproximateNumberOfMessagesVisible", dlq_id))):
        widgets.append(json.dumps({
            "type": "metric", "x": 8 * x, "y": y, "width": 8, "height": 6,
            "properties": {"title": f"target {target.name}: {title}", "region": "${AWS::Region}",
                           "stat": "Maximum", "period": 60, "view": "timeSeries",
                           "metrics": [["AWS/SQS", metric, "QueueName", f"${{{queue}.QueueName}}"]]}}))
    insert = "".join(f",\n    {w}" for w in widgets)
    head = text[:end].rstrip()
    body["Fn::Sub"] = head + insert + "\n  " + text[end:]


def _add_functions(template: dict[str, Any], resources: dict[str, Any], functions: Sequence[FunctionSpec],
                   functions_dir: Path) -> None:
    if "ActionFunctionRole" not in resources:
        raise StackConfigError("infra/resources.yaml has no ActionFunctionRole for the action functions")
    shared = functions_dir / SHARED_DIR.parent
    layers = []
    if shared.is_dir():
        resources["ActionFunctionsLayer"] = {
            "Type": "AWS::Serverless::LayerVersion",
            "Properties": {"LayerName": {"Fn::Sub": "${Prefix}-functions-shared"},
                           "Description": "functions/_shared: the action-function contract (sirocco_function)",
                           "ContentUri": str(shared), "CompatibleRuntimes": [FUNCTION_RUNTIME],
                           "RetentionPolicy": "Delete"}}
        layers = [{"Ref": "ActionFunctionsLayer"}]
    for spec in functions:
        logical = "ActionFunction" + "".join(p[:1].upper() + p[1:] for p in spec.name.split("_") if p)
        resources[logical] = {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "FunctionName": {"Fn::Sub": f"${{Prefix}}-fn-{spec.name}"},
                "Description": (spec.description or f"action fn.{spec.name}")[:256],
                "CodeUri": str(functions_dir / spec.name),
                "Handler": spec.handler,
                "Runtime": FUNCTION_RUNTIME,
                "Timeout": spec.timeout,
                "MemorySize": spec.memory,
                "Role": {"Fn::GetAtt": ["ActionFunctionRole", "Arn"]},
                "Layers": layers,
                "Tags": {"app": "sirocco", "sirocco:prefix": {"Ref": "Prefix"},
                         "sirocco:component": f"fn-{spec.name}"},
            }}
    # the executor's catalog, with the stack's prefix in the Lambda names
    named = [FunctionSpec(s.name, f"{_PLACEHOLDER}-fn-{s.name}", s.input, s.description, s.handler, s.timeout,
                          s.memory) for s in functions]
    catalog = to_env(named)
    if len(catalog) + 31 * len(named) > FUNCTIONS_ENV_BUDGET:
        raise StackConfigError(f"{ENV_VARIABLE} would take {len(catalog)} bytes of Lambda's 4 KB of environment "
                               "variables: shorten the functions' descriptions")
    value = {"Fn::Sub": catalog.replace("${", "${!").replace(_PLACEHOLDER, "${Prefix}")}
    _set_variable(template, ENV_VARIABLE, value)


def _set_variable(template: dict[str, Any], name: str, value: Any) -> None:
    """Give every Lambda ``name``: Globals, and each Chalice function entry that sets variables."""
    places = [((template.get("Globals") or {}).get("Function") or {}).get("Environment", {}).get("Variables")]
    for resource in template["Resources"].values():
        if "Type" not in resource:  # an entry merged into a Chalice function
            places.append(((resource.get("Properties") or {}).get("Environment") or {}).get("Variables"))
    for variables in places:
        if isinstance(variables, dict):
            variables[name] = value


# ---------------------------------------------------------------------------- configuration

def chalice_variables(app_dir: Path, stage: str) -> dict[str, str]:
    """The environment variables .chalice/config.json gives ``stage``'s functions, as Chalice reads them."""
    path = app_dir / ".chalice" / "config.json"
    if not path.is_file():
        return {}
    from chalice.config import Config

    config = json.loads(path.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in
            Config(chalice_stage=stage, config_from_disk=config).environment_variables.items()}


def configured_targets(app_dir: Path, stage: str, environ: Mapping[str, str] | None = None) -> list[Target]:
    """The targets of ``SIROCCO_EXECUTOR_TARGETS``: the shell's value, else the Chalice stage's."""
    env = os.environ if environ is None else environ
    value = env.get(TARGETS_VARIABLE)
    if value is None:
        value = chalice_variables(app_dir, stage).get(TARGETS_VARIABLE, "")
    return parse_targets(value)


def stack_template(app_dir: Path, stage: str = "dev", *, template: Path | None = None,
                   environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The deployed template of the checkout at ``app_dir``: base, configured targets, ``functions/``."""
    functions_dir = app_dir / "functions"
    return build(load_template(template or default_template_path()),
                 targets=configured_targets(app_dir, stage, environ),
                 functions=discover(functions_dir), functions_dir=functions_dir)


class _Dumper(yaml.SafeDumper):
    """Block style, no aliases (CloudFormation refuses YAML aliases)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _text(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None  # the dashboard's JSON stays readable
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sirocco.local.stacktemplate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--app-dir", default=".", help="the checkout (app.py, .chalice/, functions/)")
    parser.add_argument("--stage", default=os.environ.get("CHALICE_STAGE", "dev"))
    parser.add_argument("--template", default=None, help="the base template (default infra/resources.yaml)")
    parser.add_argument("--targets", default=None, help=f"overrides {TARGETS_VARIABLE}, e.g. 'special,gpu:5'")
    parser.add_argument("-o", "--output", required=True, help="where to write the template (YAML)")
    args = parser.parse_args(argv)
    app_dir = Path(args.app_dir).resolve()
    environ = dict(os.environ)
    if args.targets is not None:
        environ[TARGETS_VARIABLE] = args.targets
    try:
        template = stack_template(app_dir, args.stage, template=Path(args.template) if args.template else None,
                                  environ=environ)
    except (StackConfigError, ValueError, OSError) as exc:
        print(f"stacktemplate: {exc}", file=sys.stderr)
        return 1
    with open(args.output, "w", encoding="utf-8") as out:
        out.write("# generated by python -m sirocco.local.stacktemplate from infra/resources.yaml: do not edit\n")
        yaml.dump(template, out, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
