"""Read infra/resources.yaml, the CloudFormation that makes Sirocco's resources in
AWS, so that `sirocco dev` makes the same resources on an emulator.

``load_template`` parses CloudFormation YAML (short intrinsic tags included);
``LocalPlan.from_template`` resolves the parameters, ``Ref``, ``Fn::GetAtt``,
``Fn::Sub``, ``Fn::If`` and the conditions for one prefix, account and region,
and keeps what a laptop needs: the tables, queues (with their dead-letter
queues), the payload bucket, the schedule group, the environment variables
the template gives every Lambda (``Globals.Function.Environment``), and the
SQS event sources it adds to the app's functions (executor targets). IAM,
alarms, the dashboard and other Lambdas have no local meaning and are skipped.
Give it the deployed template (``stacktemplate.build``), not only the base file.

Only the intrinsic functions the template uses are understood; anything else in
a property we read raises ``TemplateError`` naming it, so a template change
that this reader cannot follow fails loudly instead of creating something else.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

#: moto's default account; LocalStack uses 000000000000
DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"

LOCAL_TYPES = ("AWS::DynamoDB::Table", "AWS::SQS::Queue", "AWS::S3::Bucket", "AWS::Scheduler::ScheduleGroup")


class TemplateError(ValueError):
    """The template uses something this reader does not understand."""


def default_template_path() -> Path:
    """``infra/resources.yaml`` of the checkout this package runs from, else of the
    current directory (``SIROCCO_TEMPLATE`` overrides both)."""
    explicit = os.environ.get("SIROCCO_TEMPLATE")
    if explicit:
        return Path(explicit)
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "infra" / "resources.yaml"
        if candidate.is_file():
            return candidate
    return Path.cwd() / "infra" / "resources.yaml"


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader that reads ``!Ref X`` as ``{"Ref": "X"}`` and ``!Sub s`` as
    ``{"Fn::Sub": s}`` (CloudFormation's short forms). A subclass, so the global
    SafeLoader is left alone."""


def _construct_intrinsic(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> Any:
    name = tag_suffix
    key = name if name in ("Ref", "Condition") else f"Fn::{name}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if name == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {key: value}


_CfnLoader.add_multi_constructor("!", _construct_intrinsic)


def load_template(path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The template as plain dicts and lists, intrinsics in their long form."""
    path = Path(path) if path is not None else default_template_path()
    with open(path, encoding="utf-8") as handle:
        template = yaml.load(handle, Loader=_CfnLoader)  # noqa: S506 - a SafeLoader subclass
    if not isinstance(template, dict) or "Resources" not in template:
        raise TemplateError(f"{path}: not a CloudFormation template (no Resources)")
    return template


# ---------------------------------------------------------------------------- resolution

_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


class Resolver:
    """Evaluates the intrinsic functions of one template for one set of parameter
    values and pseudo parameters."""

    def __init__(self, template: Mapping[str, Any], *, parameters: Mapping[str, Any] | None = None,
                 account: str = DEFAULT_ACCOUNT, region: str = DEFAULT_REGION,
                 partition: str = "aws", queue_url_base: str | None = None) -> None:
        self.template = template
        self.resources: Mapping[str, Any] = template.get("Resources", {})
        self.account, self.region, self.partition = account, region, partition
        self.queue_url_base = queue_url_base or f"https://sqs.{region}.amazonaws.com"
        self.parameters: dict[str, Any] = {}
        given = dict(parameters or {})
        for name, spec in (template.get("Parameters") or {}).items():
            if name in given:
                value = given.pop(name)
            elif "Default" in spec:
                value = spec["Default"]
            else:
                raise TemplateError(f"parameter {name} has no default and no value was given")
            self.parameters[name] = str(value) if spec.get("Type") in ("String", "Number") else value
        if given:
            raise TemplateError(f"unknown parameters: {', '.join(sorted(given))}")
        self._conditions: dict[str, bool] = {}

    # -- pseudo parameters, Ref and GetAtt

    def pseudo(self, name: str) -> str:
        values = {"AWS::AccountId": self.account, "AWS::Region": self.region, "AWS::Partition": self.partition,
                  "AWS::URLSuffix": "amazonaws.com", "AWS::StackName": self.parameters.get("Prefix", "sirocco")}
        if name not in values:
            raise TemplateError(f"pseudo parameter {name} is not supported locally")
        return values[name]

    def ref(self, name: str) -> Any:
        if name.startswith("AWS::"):
            return self.pseudo(name)
        if name in self.parameters:
            return self.parameters[name]
        resource = self.resources.get(name)
        if resource is None:
            raise TemplateError(f"Ref to {name}, which the template does not define")
        kind, props = resource.get("Type"), resource.get("Properties", {})
        if kind == "AWS::DynamoDB::Table":
            return self.resolve(props["TableName"])
        if kind == "AWS::SQS::Queue":
            return f"{self.queue_url_base}/{self.account}/{self.resolve(props['QueueName'])}"
        if kind == "AWS::S3::Bucket":
            return self.resolve(props["BucketName"])
        if kind == "AWS::Scheduler::ScheduleGroup":
            return self.resolve(props["Name"])
        if kind == "AWS::IAM::Role":
            return self.resolve(props["RoleName"])
        raise TemplateError(f"Ref to {name} ({kind}) has no local value")

    def get_att(self, name: str, attribute: str) -> Any:
        resource = self.resources.get(name)
        if resource is None:
            raise TemplateError(f"GetAtt of {name}, which the template does not define")
        kind, props = resource.get("Type"), resource.get("Properties", {})
        p, r, a = self.partition, self.region, self.account
        if kind == "AWS::SQS::Queue":
            queue = self.resolve(props["QueueName"])
            values = {"Arn": f"arn:{p}:sqs:{r}:{a}:{queue}", "QueueName": queue,
                      "QueueUrl": f"{self.queue_url_base}/{a}/{queue}"}
        elif kind == "AWS::DynamoDB::Table":
            values = {"Arn": f"arn:{p}:dynamodb:{r}:{a}:table/{self.resolve(props['TableName'])}"}
        elif kind == "AWS::S3::Bucket":
            bucket = self.resolve(props["BucketName"])
            values = {"Arn": f"arn:{p}:s3:::{bucket}", "DomainName": f"{bucket}.s3.amazonaws.com"}
        elif kind == "AWS::Scheduler::ScheduleGroup":
            values = {"Arn": f"arn:{p}:scheduler:{r}:{a}:schedule-group/{self.resolve(props['Name'])}"}
        elif kind == "AWS::IAM::Role":
            values = {"Arn": f"arn:{p}:iam::{a}:role/{self.resolve(props['RoleName'])}"}
        elif kind == "AWS::CloudWatch::Alarm":
            values = {"Arn": f"arn:{p}:cloudwatch:{r}:{a}:alarm:{self.resolve(props['AlarmName'])}"}
        else:
            values = {}
        if attribute not in values:
            raise TemplateError(f"GetAtt {name}.{attribute} ({kind}) has no local value")
        return values[attribute]

    # -- conditions

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            spec = (self.template.get("Conditions") or {}).get(name)
            if spec is None:
                raise TemplateError(f"condition {name} is not defined")
            self._conditions[name] = bool(self._condition_value(spec))
        return self._conditions[name]

    def _condition_value(self, spec: Any) -> bool:
        if isinstance(spec, dict) and len(spec) == 1:
            (key, arg), = spec.items()
            if key == "Fn::Equals":
                left, right = (self.resolve(v) for v in arg)
                return str(left) == str(right)
            if key == "Fn::Not":
                return not self._condition_value(arg[0])
            if key == "Fn::And":
                return all(self._condition_value(v) for v in arg)
            if key == "Fn::Or":
                return any(self._condition_value(v) for v in arg)
            if key == "Condition":
                return self.condition(arg)
        raise TemplateError(f"condition {spec!r} is not supported locally")

    # -- values

    def resolve(self, value: Any) -> Any:
        """``value`` with every intrinsic function evaluated (``AWS::NoValue`` drops
        the key or list element)."""
        if isinstance(value, list):
            items = [self.resolve(v) for v in value]
            return [v for v in items if v is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Ref":
                return _NO_VALUE if arg == "AWS::NoValue" else self.ref(arg)
            if key == "Fn::GetAtt":
                name, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
                return self.get_att(name, attribute)
            if key == "Fn::Sub":
                return self._sub(arg)
            if key == "Fn::If":
                name, yes, no = arg
                return self.resolve(yes if self.condition(name) else no)
            if key == "Fn::Join":
                separator, parts = arg
                return separator.join(str(p) for p in self.resolve(parts))
            if key.startswith("Fn::") or key == "Condition":
                raise TemplateError(f"{key} is not supported locally")
        out = {k: self.resolve(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v is not _NO_VALUE}

    def _sub(self, arg: Any) -> str:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], dict(arg[1]))

        def value_of(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(self.resolve(variables[name]))
            if "." in name and not name.startswith("AWS::"):
                resource, attribute = name.split(".", 1)
                return str(self.get_att(resource, attribute))
            return str(self.ref(name))

        return _SUB_VARIABLE.sub(value_of, text).replace("${!", "${")


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


_NO_VALUE = _NoValue()


# ---------------------------------------------------------------------------- the local plan

@dataclass(frozen=True)
class TablePlan:
    logical_id: str
    name: str
    #: CreateTable arguments exactly as the template gives them (resolved)
    create_args: dict[str, Any]
    ttl_attribute: str | None
    tags: dict[str, str]


@dataclass(frozen=True)
class QueuePlan:
    logical_id: str
    name: str
    #: CreateQueue attributes (strings, as SQS takes them), RedrivePolicy as JSON
    attributes: dict[str, str]
    tags: dict[str, str]
    #: logical id of its dead-letter queue, if any
    dead_letter: str | None

    @property
    def fifo(self) -> bool:
        return self.attributes.get("FifoQueue") == "true"

    @property
    def visibility_timeout(self) -> int:
        return int(self.attributes.get("VisibilityTimeout", "30"))


@dataclass(frozen=True)
class BucketPlan:
    logical_id: str
    name: str
    #: PutBucketLifecycleConfiguration rules (S3 API shape), may be empty
    lifecycle_rules: list[dict[str, Any]]
    tags: dict[str, str]


@dataclass(frozen=True)
class ScheduleGroupPlan:
    logical_id: str
    name: str
    tags: dict[str, str]


@dataclass(frozen=True)
class EventSourcePlan:
    """An SQS event source the template adds to one of the app's functions (an
    executor target's queue): the function's logical id, as Chalice names it
    (``Executor`` for the handler named ``executor``), and the queue it reads."""

    function: str
    name: str
    queue: str
    batch_size: int
    max_concurrency: int | None


@dataclass(frozen=True)
class LocalPlan:
    """What `sirocco dev` creates, resolved from the template."""

    prefix: str
    account: str
    region: str
    tables: list[TablePlan] = field(default_factory=list)
    queues: list[QueuePlan] = field(default_factory=list)  # dead-letter queues first
    buckets: list[BucketPlan] = field(default_factory=list)
    schedule_groups: list[ScheduleGroupPlan] = field(default_factory=list)
    #: Globals.Function.Environment.Variables, resolved: what every Lambda is given
    environment: dict[str, str] = field(default_factory=dict)
    #: logical ids of template resources that have no local counterpart
    skipped: list[str] = field(default_factory=list)
    #: SQS event sources the template adds to the app's functions (beyond Chalice's own)
    event_sources: list[EventSourcePlan] = field(default_factory=list)

    @classmethod
    def from_template(cls, template: Mapping[str, Any], *, parameters: Mapping[str, Any] | None = None,
                      account: str = DEFAULT_ACCOUNT, region: str = DEFAULT_REGION,
                      queue_url_base: str | None = None) -> "LocalPlan":
        resolver = Resolver(template, parameters=parameters, account=account, region=region,
                            queue_url_base=queue_url_base)
        plan = cls(prefix=str(resolver.parameters.get("Prefix", "sirocco")), account=account, region=region)
        queues: list[QueuePlan] = []
        for logical_id, resource in template["Resources"].items():
            kind = resource.get("Type")
            if kind is None:  # merged into a function Chalice makes: its added event sources
                plan.event_sources.extend(_event_sources(logical_id, resource, resolver))
            if kind not in LOCAL_TYPES:
                plan.skipped.append(logical_id)
                continue
            props = resolver.resolve(resource.get("Properties", {}))
            tags = _tags(props.get("Tags"))
            if kind == "AWS::DynamoDB::Table":
                plan.tables.append(_table_plan(logical_id, props, tags))
            elif kind == "AWS::SQS::Queue":
                queues.append(_queue_plan(logical_id, props, tags, template, resolver))
            elif kind == "AWS::S3::Bucket":
                plan.buckets.append(_bucket_plan(logical_id, props, tags))
            else:
                plan.schedule_groups.append(ScheduleGroupPlan(logical_id, props["Name"], tags))
        # dead-letter queues before the queues that name them
        plan.queues.extend(sorted(queues, key=lambda q: q.dead_letter is not None))
        env = (((template.get("Globals") or {}).get("Function") or {}).get("Environment") or {}).get("Variables")
        for name, value in (env or {}).items():
            plan.environment[name] = str(resolver.resolve(value))
        return plan

    def queue(self, logical_id: str) -> QueuePlan:
        for queue in self.queues:
            if queue.logical_id == logical_id:
                return queue
        raise KeyError(logical_id)

    def queue_named(self, name: str) -> QueuePlan | None:
        return next((q for q in self.queues if q.name == name), None)

    def queue_arn(self, queue: QueuePlan) -> str:
        return f"arn:aws:sqs:{self.region}:{self.account}:{queue.name}"


def _event_sources(function: str, resource: Mapping[str, Any], resolver: Resolver) -> list[EventSourcePlan]:
    """The complete SQS events (``Type: SQS``) of a Chalice function entry; the entries
    without a type only amend the event sources Chalice makes from app.py."""
    found = []
    for name, event in ((resource.get("Properties") or {}).get("Events") or {}).items():
        if not isinstance(event, dict) or event.get("Type") != "SQS":
            continue
        props = resolver.resolve(event.get("Properties") or {})
        queue = str(props["Queue"]).rsplit(":", 1)[-1]
        scaling = props.get("ScalingConfig") or {}
        found.append(EventSourcePlan(function, name, queue, int(props.get("BatchSize", 10)),
                                     int(scaling["MaximumConcurrency"]) if "MaximumConcurrency" in scaling else None))
    return found


def _tags(value: Any) -> dict[str, str]:
    if not value:
        return {}
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    return {str(t["Key"]): str(t["Value"]) for t in value}


_TABLE_ARGS = ("TableName", "AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes",
               "LocalSecondaryIndexes", "BillingMode", "ProvisionedThroughput", "StreamSpecification",
               "SSESpecification", "TableClass", "DeletionProtectionEnabled")


def _table_plan(logical_id: str, props: dict[str, Any], tags: dict[str, str]) -> TablePlan:
    args = {k: props[k] for k in _TABLE_ARGS if k in props}
    sse = args.pop("SSESpecification", None)
    if sse and sse.get("SSEEnabled"):
        args["SSESpecification"] = {"Enabled": True}  # CloudFormation's SSEEnabled is the API's Enabled
    ttl = props.get("TimeToLiveSpecification") or {}
    return TablePlan(logical_id, props["TableName"], args,
                     ttl.get("AttributeName") if ttl.get("Enabled") else None, tags)


_QUEUE_ATTRIBUTES = ("DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod",
                     "ReceiveMessageWaitTimeSeconds", "VisibilityTimeout", "FifoQueue",
                     "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit",
                     "SqsManagedSseEnabled", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds")


def _queue_plan(logical_id: str, props: dict[str, Any], tags: dict[str, str],
                template: Mapping[str, Any], resolver: Resolver) -> QueuePlan:
    attributes = {}
    for key in _QUEUE_ATTRIBUTES:
        if key in props:
            value = props[key]
            attributes[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    dead_letter = None
    redrive = props.get("RedrivePolicy")
    if redrive:
        raw = template["Resources"][logical_id]["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]
        dead_letter = _logical_target(raw)
        if isinstance(redrive, str):
            redrive = json.loads(redrive)
        attributes["RedrivePolicy"] = json.dumps(
            {"deadLetterTargetArn": redrive["deadLetterTargetArn"],
             "maxReceiveCount": int(redrive["maxReceiveCount"])}, sort_keys=True)
    return QueuePlan(logical_id, props["QueueName"], attributes, tags, dead_letter)


def _logical_target(raw: Any) -> str | None:
    if isinstance(raw, dict) and "Fn::GetAtt" in raw:
        arg = raw["Fn::GetAtt"]
        return (arg if isinstance(arg, list) else arg.split("."))[0]
    return None


def _bucket_plan(logical_id: str, props: dict[str, Any], tags: dict[str, str]) -> BucketPlan:
    rules = []
    for rule in (props.get("LifecycleConfiguration") or {}).get("Rules", []):
        out: dict[str, Any] = {"ID": rule.get("Id", ""), "Status": rule["Status"],
                               "Filter": {"Prefix": rule.get("Prefix", "")}}
        if "ExpirationInDays" in rule:
            out["Expiration"] = {"Days": int(rule["ExpirationInDays"])}
        if "AbortIncompleteMultipartUpload" in rule:
            out["AbortIncompleteMultipartUpload"] = {
                "DaysAfterInitiation": int(rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"])}
        rules.append(out)
    return BucketPlan(logical_id, props["BucketName"], rules, tags)
