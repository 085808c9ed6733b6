"""Create the resources of a ``LocalPlan`` (read from infra/resources.yaml) with
boto3, if they are missing, and compare what exists with the plan.

Works against any AWS-compatible endpoint: the embedded emulator, LocalStack,
or AWS itself (a resource that exists is left as it is; ``verify`` reports how
it differs from the template).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import ClientError

from .devtemplate import BucketPlan, LocalPlan, QueuePlan, ScheduleGroupPlan, TablePlan

log = logging.getLogger("sirocco.dev")


@dataclass
class Clients:
    dynamodb: Any
    sqs: Any
    s3: Any
    scheduler: Any

    @classmethod
    def create(cls, *, region: str, endpoint_url: str | None = None) -> "Clients":
        session = boto3.session.Session(region_name=region)

        def client(name: str) -> Any:
            return session.client(name, endpoint_url=endpoint_url)

        return cls(client("dynamodb"), client("sqs"), client("s3"), client("scheduler"))


@dataclass
class Provisioned:
    """What ``ensure`` did: names created and names that were already there."""

    created: list[str]
    existing: list[str]
    #: queue name -> URL and ARN, as the endpoint reports them
    queue_urls: dict[str, str]
    queue_arns: dict[str, str]


def ensure(plan: LocalPlan, clients: Clients, *, wait: bool = True) -> Provisioned:
    """Create every resource of ``plan`` that does not exist yet."""
    result = Provisioned([], [], {}, {})
    for table in plan.tables:
        _ensure_table(table, clients.dynamodb, result)
    for queue in plan.queues:  # dead-letter queues come first in the plan
        _ensure_queue(queue, plan, clients.sqs, result)
    for bucket in plan.buckets:
        _ensure_bucket(bucket, plan, clients.s3, result)
    for group in plan.schedule_groups:
        _ensure_schedule_group(group, clients.scheduler, result)
    if wait:
        for table in plan.tables:
            clients.dynamodb.get_waiter("table_exists").wait(
                TableName=table.name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    return result


def _ensure_table(table: TablePlan, dynamodb: Any, result: Provisioned) -> None:
    try:
        dynamodb.describe_table(TableName=table.name)
        result.existing.append(table.name)
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        args = dict(table.create_args)
        if table.tags:
            args["Tags"] = [{"Key": k, "Value": v} for k, v in table.tags.items()]
        try:
            dynamodb.create_table(**args)
            result.created.append(table.name)
        except ClientError as race:
            if race.response["Error"]["Code"] != "ResourceInUseException":
                raise
            result.existing.append(table.name)
    if table.ttl_attribute:
        current = dynamodb.describe_time_to_live(TableName=table.name)["TimeToLiveDescription"]
        if current.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
            if table.name not in result.created:
                dynamodb.get_waiter("table_exists").wait(TableName=table.name,
                                                         WaiterConfig={"Delay": 1, "MaxAttempts": 60})
            dynamodb.update_time_to_live(TableName=table.name, TimeToLiveSpecification={
                "AttributeName": table.ttl_attribute, "Enabled": True})


def _ensure_queue(queue: QueuePlan, plan: LocalPlan, sqs: Any, result: Provisioned) -> None:
    attributes = dict(queue.attributes)
    if queue.dead_letter:
        # the plan's ARN assumes the plan's account; use the one the endpoint gave the DLQ
        dlq = plan.queue(queue.dead_letter)
        redrive = json.loads(attributes["RedrivePolicy"])
        redrive["deadLetterTargetArn"] = result.queue_arns[dlq.name]
        attributes["RedrivePolicy"] = json.dumps(redrive, sort_keys=True)
    try:
        url = sqs.get_queue_url(QueueName=queue.name)["QueueUrl"]
        result.existing.append(queue.name)
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in ("AWS.SimpleQueueService.NonExistentQueue",
                                                  "QueueDoesNotExist"):
            raise
        args: dict[str, Any] = {"QueueName": queue.name, "Attributes": attributes}
        if queue.tags:
            args["tags"] = queue.tags
        url = sqs.create_queue(**args)["QueueUrl"]
        result.created.append(queue.name)
    result.queue_urls[queue.name] = url
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    result.queue_arns[queue.name] = arn


def _ensure_bucket(bucket: BucketPlan, plan: LocalPlan, s3: Any, result: Provisioned) -> None:
    try:
        s3.head_bucket(Bucket=bucket.name)
        result.existing.append(bucket.name)
        return
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in ("404", "NoSuchBucket", "NotFound"):
            raise
    args: dict[str, Any] = {"Bucket": bucket.name}
    if plan.region != "us-east-1":
        args["CreateBucketConfiguration"] = {"LocationConstraint": plan.region}
    s3.create_bucket(**args)
    result.created.append(bucket.name)
    if bucket.lifecycle_rules:
        s3.put_bucket_lifecycle_configuration(
            Bucket=bucket.name, LifecycleConfiguration={"Rules": bucket.lifecycle_rules})
    if bucket.tags:
        s3.put_bucket_tagging(Bucket=bucket.name, Tagging={
            "TagSet": [{"Key": k, "Value": v} for k, v in bucket.tags.items()]})


def _ensure_schedule_group(group: ScheduleGroupPlan, scheduler: Any, result: Provisioned) -> None:
    try:
        scheduler.get_schedule_group(Name=group.name)
        result.existing.append(group.name)
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        args: dict[str, Any] = {"Name": group.name}
        if group.tags:
            args["Tags"] = [{"Key": k, "Value": v} for k, v in group.tags.items()]
        scheduler.create_schedule_group(**args)
        result.created.append(group.name)


# ---------------------------------------------------------------------------- verification

def describe_table(dynamodb: Any, name: str) -> dict[str, Any]:
    """The parts of a table the template decides, in the template's own terms."""
    table = dynamodb.describe_table(TableName=name)["Table"]
    ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    return {
        "KeySchema": table["KeySchema"],
        "AttributeDefinitions": sorted(table["AttributeDefinitions"], key=lambda a: a["AttributeName"]),
        "GlobalSecondaryIndexes": sorted(
            ({"IndexName": i["IndexName"], "KeySchema": i["KeySchema"],
              "Projection": {"ProjectionType": i["Projection"]["ProjectionType"]}}
             for i in table.get("GlobalSecondaryIndexes", [])), key=lambda i: i["IndexName"]),
        "BillingMode": (table.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED"),
        "TTL": ttl.get("AttributeName") if ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING") else None,
    }


def expected_table(table: TablePlan) -> dict[str, Any]:
    args = table.create_args
    return {
        "KeySchema": args["KeySchema"],
        "AttributeDefinitions": sorted(args["AttributeDefinitions"], key=lambda a: a["AttributeName"]),
        "GlobalSecondaryIndexes": sorted(
            ({"IndexName": i["IndexName"], "KeySchema": i["KeySchema"],
              "Projection": {"ProjectionType": i["Projection"]["ProjectionType"]}}
             for i in args.get("GlobalSecondaryIndexes", [])), key=lambda i: i["IndexName"]),
        "BillingMode": args.get("BillingMode", "PROVISIONED"),
        "TTL": table.ttl_attribute,
    }


def verify(plan: LocalPlan, clients: Clients) -> list[str]:
    """Differences between the resources at the endpoint and the plan (empty: they match)."""
    problems: list[str] = []
    for table in plan.tables:
        try:
            actual = describe_table(clients.dynamodb, table.name)
        except ClientError as exc:
            problems.append(f"table {table.name}: {exc.response['Error']['Code']}")
            continue
        expected = expected_table(table)
        for key, value in expected.items():
            if actual[key] != value:
                problems.append(f"table {table.name}: {key} is {actual[key]!r}, template says {value!r}")
    arns: dict[str, str] = {}
    for queue in plan.queues:
        try:
            url = clients.sqs.get_queue_url(QueueName=queue.name)["QueueUrl"]
            attributes = clients.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        except ClientError as exc:
            problems.append(f"queue {queue.name}: {exc.response['Error']['Code']}")
            continue
        arns[queue.name] = attributes["QueueArn"]
        for key, value in queue.attributes.items():
            if key == "RedrivePolicy":
                want = json.loads(value)
                got = json.loads(attributes.get(key) or "{}")
                dlq = plan.queue(queue.dead_letter).name if queue.dead_letter else None
                if (int(got.get("maxReceiveCount", -1)) != int(want["maxReceiveCount"])
                        or got.get("deadLetterTargetArn", "").rsplit(":", 1)[-1] != dlq):
                    problems.append(f"queue {queue.name}: RedrivePolicy is {got}, template says {want}")
            elif key in ("SqsManagedSseEnabled", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds"):
                continue  # encryption settings are not reported by every emulator
            elif str(attributes.get(key, _DEFAULTS.get(key))).lower() != value.lower():
                problems.append(f"queue {queue.name}: {key} is {attributes.get(key)!r}, template says {value!r}")
    for bucket in plan.buckets:
        try:
            clients.s3.head_bucket(Bucket=bucket.name)
        except ClientError as exc:
            problems.append(f"bucket {bucket.name}: {exc.response['Error']['Code']}")
            continue
        try:
            rules = clients.s3.get_bucket_lifecycle_configuration(Bucket=bucket.name)["Rules"]
        except ClientError:
            rules = []
        if _rule_summary(rules) != _rule_summary(bucket.lifecycle_rules):
            problems.append(f"bucket {bucket.name}: lifecycle rules {_rule_summary(rules)}, "
                            f"template says {_rule_summary(bucket.lifecycle_rules)}")
    for group in plan.schedule_groups:
        try:
            clients.scheduler.get_schedule_group(Name=group.name)
        except ClientError as exc:
            problems.append(f"schedule group {group.name}: {exc.response['Error']['Code']}")
    return problems


_DEFAULTS = {"FifoQueue": "false", "ContentBasedDeduplication": "false", "DelaySeconds": "0"}


def _rule_summary(rules: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    out = []
    for rule in rules:
        prefix = (rule.get("Filter") or {}).get("Prefix", rule.get("Prefix", ""))
        out.append((rule.get("ID"), rule.get("Status"), prefix,
                    (rule.get("Expiration") or {}).get("Days"),
                    (rule.get("AbortIncompleteMultipartUpload") or {}).get("DaysAfterInitiation")))
    return sorted(out, key=lambda r: str(r[0]))
