"""infra/resources.yaml cannot drift from the code that uses its resources:
the tables' keys, indexes and TTL are the PynamoDB models', the names are the
settings' defaults, the Lambdas get every variable the settings read, and every
reference in the template names something the template defines."""

from __future__ import annotations

from typing import Any

import pytest

from sirocco.local.devtemplate import LocalPlan, Resolver, TemplateError, load_template
from sirocco.messaging import QueueSettings
from sirocco.persistence.models import build_models
from sirocco.persistence.settings import Settings


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


@pytest.fixture(scope="module")
def plan(template: dict[str, Any]) -> LocalPlan:
    return LocalPlan.from_template(template)


def _model_table(model: Any) -> dict[str, Any]:
    """A PynamoDB model's table in CreateTable's terms, normalised for comparison."""
    schema = model._get_schema()
    ttl = model._ttl_attribute()
    return {
        "KeySchema": sorted((k["AttributeName"], k["KeyType"]) for k in schema["key_schema"]),
        "AttributeDefinitions": sorted((a["AttributeName"], a["AttributeType"])
                                       for a in schema["attribute_definitions"]),
        "GlobalSecondaryIndexes": sorted(
            (i["index_name"], tuple(sorted((k["AttributeName"], k["KeyType"]) for k in i["key_schema"])),
             i["projection"]["ProjectionType"]) for i in schema.get("global_secondary_indexes", [])),
        "LocalSecondaryIndexes": sorted(i["index_name"] for i in schema.get("local_secondary_indexes", [])),
        "BillingMode": model.Meta.billing_mode,
        "TTL": ttl.attr_name if ttl is not None else None,
    }


def _template_table(plan: LocalPlan, name: str) -> dict[str, Any]:
    table = next(t for t in plan.tables if t.name == name)
    args = table.create_args
    return {
        "KeySchema": sorted((k["AttributeName"], k["KeyType"]) for k in args["KeySchema"]),
        "AttributeDefinitions": sorted((a["AttributeName"], a["AttributeType"])
                                       for a in args["AttributeDefinitions"]),
        "GlobalSecondaryIndexes": sorted(
            (i["IndexName"], tuple(sorted((k["AttributeName"], k["KeyType"]) for k in i["KeySchema"])),
             i["Projection"]["ProjectionType"]) for i in args.get("GlobalSecondaryIndexes", [])),
        "LocalSecondaryIndexes": sorted(i["IndexName"] for i in args.get("LocalSecondaryIndexes", [])),
        "BillingMode": args.get("BillingMode"),
        "TTL": table.ttl_attribute,
    }


@pytest.mark.parametrize("which", ["Execution", "Definition"])
def test_tables_match_the_pynamodb_models(plan: LocalPlan, which: str) -> None:
    models = build_models(Settings())
    model = getattr(models, which)
    assert _template_table(plan, model.Meta.table_name) == _model_table(model)


def test_default_names_are_the_settings_defaults(plan: LocalPlan) -> None:
    settings, queues = Settings(), QueueSettings()
    env = plan.environment
    assert env["SIROCCO_EXECUTIONS_TABLE"] == settings.executions_table
    assert env["SIROCCO_DEFINITIONS_TABLE"] == settings.definitions_table
    assert {q.name for q in plan.queues} >= set(queues.queues().values())
    assert env["SIROCCO_ENGINE_QUEUE"] == queues.engine_queue
    assert env["SIROCCO_EXECUTOR_QUEUE"] == queues.executor_queue
    assert env["SIROCCO_TIMER_QUEUE"] == queues.timer_queue
    assert env["SIROCCO_NOTIFIER_QUEUE"] == queues.notifier_queue
    # the bucket name must be unique in all of S3: account and region are in it
    assert env["SIROCCO_PAYLOAD_BUCKET"] == f"sirocco-payloads-{plan.account}-{plan.region}"


def test_the_lambdas_get_what_the_settings_read(plan: LocalPlan) -> None:
    """Every resource variable Settings/QueueSettings read is set from the template,
    and reading the template's environment gives the template's resources."""
    settings = Settings.from_env(plan.environment)
    queues = QueueSettings.from_env(plan.environment)
    assert {settings.executions_table, settings.definitions_table} == {t.name for t in plan.tables}
    assert settings.payload_bucket == plan.buckets[0].name
    assert set(queues.queues().values()) == {q.name for q in plan.queues if q.dead_letter}
    assert plan.environment["SIROCCO_SCHEDULE_GROUP"] == plan.schedule_groups[0].name


def test_queues_as_issue_4_asks(plan: LocalPlan) -> None:
    engine = plan.queue_named("sirocco-engine.fifo")
    assert engine is not None and engine.fifo
    assert engine.attributes["ContentBasedDeduplication"] == "false"
    main = [q for q in plan.queues if not q.name.split(".")[0].endswith("-dlq")]
    assert len(main) == 5  # engine, executor, timer, notifier, events
    for queue in main:
        assert queue.dead_letter is not None, f"{queue.name} has no dead-letter queue"
        dlq = plan.queue(queue.dead_letter)
        assert dlq.fifo == queue.fifo
        assert dlq.name.split(".")[0] == queue.name.split(".")[0] + "-dlq"
    executor = plan.queue_named("sirocco-executor")
    assert executor is not None and executor.visibility_timeout > 900  # Lambda's longest timeout


def test_every_reference_names_something_defined(template: dict[str, Any]) -> None:
    """cfn-lint does not look inside SAM's Globals; this does, for the whole file."""
    defined = set(template.get("Parameters", {})) | set(template["Resources"])
    pseudo = {"AWS::AccountId", "AWS::Region", "AWS::Partition", "AWS::NoValue", "AWS::StackName",
              "AWS::URLSuffix", "AWS::StackId"}
    # resources defined by Chalice's template, which this one is merged into
    chalice = {"APIHandler", "Engine", "Executor", "Timer", "Notifier", "Events"}
    missing: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, arg in value.items():
                if key == "Ref" and isinstance(arg, str) and arg not in defined | pseudo:
                    missing.append(f"Ref {arg}")
                elif key == "Fn::GetAtt":
                    name = arg[0] if isinstance(arg, list) else arg.split(".")[0]
                    if name not in defined:
                        missing.append(f"GetAtt {name}")
                elif key == "Fn::Sub":
                    text = arg if isinstance(arg, str) else arg[0]
                    local = set() if isinstance(arg, str) else set(arg[1])
                    import re

                    for variable in re.findall(r"\$\{([^}!][^}]*)\}", text):
                        name = variable.split(".")[0]
                        if name not in defined | pseudo | local:
                            missing.append(f"Sub {variable}")
                walk(arg)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(template)
    assert not missing
    assert chalice <= set(template["Resources"])  # the overrides are there


def test_the_resolver_refuses_what_it_does_not_know() -> None:
    resolver = Resolver({"Resources": {}, "Parameters": {"Prefix": {"Type": "String", "Default": "x"}}})
    assert resolver.resolve({"Fn::Sub": "${Prefix}-a-${AWS::Region}"}) == "x-a-us-east-1"
    with pytest.raises(TemplateError):
        resolver.resolve({"Fn::ImportValue": "other-stack"})
    with pytest.raises(TemplateError):
        resolver.resolve({"Ref": "Nothing"})


def test_another_prefix_renames_everything(template: dict[str, Any]) -> None:
    plan = LocalPlan.from_template(template, parameters={"Prefix": "team-a"}, account="000000000000",
                                   region="eu-west-1")
    names = [t.name for t in plan.tables] + [q.name for q in plan.queues] + [b.name for b in plan.buckets]
    assert all(name.startswith("team-a-") for name in names), names
    assert plan.buckets[0].name == "team-a-payloads-000000000000-eu-west-1"
    assert plan.schedule_groups[0].name == "team-a"
