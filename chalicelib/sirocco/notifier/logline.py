"""The ``log`` publisher: one structured JSON line per notification on standard
output (CloudWatch Logs), written whatever ``SIROCCO_LOG_LEVEL`` says, since a
user asked for it: ``{"msg": "workflow notification", "event", "entity",
"execution_id", "task_id", "notification_id", "data"}``. Option ``fields``: an
object of constant fields added to the line (a tag to filter on)."""

from __future__ import annotations

from typing import Any, Mapping

from .notification import Notification, PublishContext

MSG = "workflow notification"


def publish(note: Notification, options: Mapping[str, Any], context: PublishContext) -> None:
    extra = options.get("fields")
    fields = {str(k): v for k, v in extra.items()} if isinstance(extra, Mapping) else {}
    fields.update(event=note.event, entity=note.entity, execution_id=note.execution_id,
                  task_id=note.entity_id if note.entity == "task" else None, notification_id=note.id,
                  data=note.data)
    context.write_line(MSG, **fields)
