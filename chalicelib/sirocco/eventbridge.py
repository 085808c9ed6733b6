"""EventBridge, the adapter: the rules of event triggers and the events the notifier puts.

One rule per event trigger, on the bus ``SIROCCO_EVENT_BUS`` (``default``), named
``<SIROCCO_PREFIX>-et-<trigger id in base32>`` (always within EventBridge's 64
characters), with one target: the events queue, through an input transformer that
wraps the matched event as ``{"trigger_id", "project", "event"}`` so the events
handler knows which trigger matched. The endpoint comes from the standard AWS
configuration (``AWS_ENDPOINT_URL_EVENTS`` / ``AWS_ENDPOINT_URL``), so the same code
talks to AWS, LocalStack or the embedded emulator.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import uuid
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import quote

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

TARGET_ID = "sirocco"


class RuleRefused(ValueError):
    """EventBridge refused the rule (most often: an invalid event pattern)."""


@dataclass(frozen=True)
class EventBridgeSettings:
    region: str = "us-east-1"
    bus: str = "default"
    prefix: str = "sirocco"
    #: the events queue's ARN (the template sets it; else the API asks SQS)
    events_queue_arn: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "EventBridgeSettings":
        env = os.environ if environ is None else environ
        d = cls()
        return cls(region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or d.region,
                   bus=env.get("SIROCCO_EVENT_BUS") or d.bus, prefix=env.get("SIROCCO_PREFIX") or d.prefix,
                   events_queue_arn=env.get("SIROCCO_EVENTS_QUEUE_ARN") or None)


def rule_name(prefix: str, trigger_id: str) -> str:
    """``<prefix>-et-<26 base32 characters of the trigger's UUID>`` (at most 60 characters
    for the template's 30-character prefixes; a trigger id that is not a UUID is hashed)."""
    try:
        raw = uuid.UUID(trigger_id).bytes
    except ValueError:
        raw = uuid.uuid5(uuid.NAMESPACE_URL, trigger_id).bytes
    return f"{prefix}-et-{base64.b32encode(raw).decode().rstrip('=').lower()}"


def input_template(trigger_id: str, project_id: str) -> str:
    """What the target delivers: the trigger, its project (percent-quoted: EventBridge reads
    ``<...>`` in a template as a variable) and the whole matched event."""
    return (f'{{"trigger_id": {json.dumps(trigger_id)}, "project": {json.dumps(quote(project_id, safe=""))}, '
            f'"event": <aws.events.event.json>}}')


class EventBridge:
    """Calls to EventBridge; the client is made on first use."""

    def __init__(self, settings: EventBridgeSettings | None = None, client: Any | None = None) -> None:
        self.settings = settings or EventBridgeSettings.from_env()
        self._client = client
        self._lock = threading.Lock()

    @property
    def client(self) -> Any:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = boto3.session.Session().client(
                        "events", region_name=self.settings.region,
                        config=Config(retries={"mode": "standard"}))
        return self._client

    # ---- rules of event triggers

    def put_trigger_rule(self, trigger_id: str, project_id: str, pattern: Mapping[str, Any],
                         target_arn: str) -> str:
        """Create or replace the rule of a trigger and its target (the events queue,
        ``target_arn``); the rule's name. ``RuleRefused`` when EventBridge refuses the pattern."""
        name = rule_name(self.settings.prefix, trigger_id)
        try:
            self.client.put_rule(Name=name, EventBusName=self.settings.bus, State="ENABLED",
                                 EventPattern=json.dumps(pattern),
                                 Description=f"Sirocco event trigger {trigger_id}")
        except ClientError as exc:
            error = exc.response.get("Error", {})
            if error.get("Code") in ("InvalidEventPatternException", "ValidationException"):
                raise RuleRefused(error.get("Message") or str(exc)) from None
            raise
        answer = self.client.put_targets(Rule=name, EventBusName=self.settings.bus, Targets=[{
            "Id": TARGET_ID, "Arn": target_arn,
            "InputTransformer": {"InputTemplate": input_template(trigger_id, project_id)}}])
        if answer.get("FailedEntryCount"):
            failure = answer["FailedEntries"][0]
            raise RuntimeError(f"EventBridge refused the target of {name}: {failure.get('ErrorCode')}: "
                               f"{failure.get('ErrorMessage')}")
        return name

    def delete_trigger_rule(self, trigger_id: str) -> bool:
        """Delete the rule of a trigger and its target; False if there was none."""
        name = rule_name(self.settings.prefix, trigger_id)
        try:
            self.client.remove_targets(Rule=name, EventBusName=self.settings.bus, Ids=[TARGET_ID])
            self.client.delete_rule(Name=name, EventBusName=self.settings.bus)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                return False
            raise
        return True

    def describe_trigger_rule(self, trigger_id: str) -> dict[str, Any] | None:
        name = rule_name(self.settings.prefix, trigger_id)
        try:
            return self.client.describe_rule(Name=name, EventBusName=self.settings.bus)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                return None
            raise

    # ---- events

    def put_event(self, *, bus: str, source: str, detail_type: str, detail: Mapping[str, Any],
                  time: float | None = None) -> dict[str, Any]:
        """PutEvents of one event; the answer's entry (``EventId``, or ``ErrorCode`` and
        ``ErrorMessage``)."""
        entry: dict[str, Any] = {"Source": source, "DetailType": detail_type,
                                 "Detail": json.dumps(detail, default=str), "EventBusName": bus}
        if time is not None:
            import datetime

            entry["Time"] = datetime.datetime.fromtimestamp(time, datetime.timezone.utc)
        answer = self.client.put_events(Entries=[entry])
        return (answer.get("Entries") or [{}])[0]


_shared: EventBridge | None = None


def shared() -> EventBridge:
    """The process's adapter, built from the environment on first use."""
    global _shared
    if _shared is None:
        _shared = EventBridge()
    return _shared


def reset() -> None:
    """Forget the process's adapter (tests, `sirocco dev` after changing the environment)."""
    global _shared
    _shared = None
