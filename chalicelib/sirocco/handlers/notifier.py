"""The notifier queue's handler. For now every ``Notify`` becomes one
structured log line (``"msg": "notification"``) with Mistral's payload, the
workflow id and project id added, and the publishers it is for; webhooks and
EventBridge publishers come with the notifier issue."""

from __future__ import annotations

from typing import Any, Mapping

from sirocco.engine import Notify
from sirocco.messaging import lambda_events as le

from . import inbox, logs
from .runtime import Runtime, get_runtime


def payload(cmd: Notify, meta: Mapping[str, Any]) -> dict[str, Any]:
    """Mistral's notification payload: the engine's data plus workflow_id and project_id."""
    data = dict(cmd.data)
    data.setdefault("workflow_id", meta.get("workflow_id"))
    data.setdefault("project_id", meta.get("project_id"))
    return data


def handle(event: Mapping[str, Any], context: Any = None, runtime: Runtime | None = None) -> dict[str, Any]:
    rt = runtime or get_runtime()
    accepted, failed = inbox.accept(rt, event, Notify, "notifier")
    for _record, envelope in accepted:
        cmd = envelope.obj
        task = cmd.entity == "task"
        logs.info("notification", event=cmd.event, entity=cmd.entity, execution_id=cmd.execution_id,
                  task_id=cmd.entity_id if task else None, timestamp=cmd.timestamp,
                  data=payload(cmd, envelope.meta), publishers=[dict(p) for p in cmd.publishers])
    return le.batch_response(failed)
