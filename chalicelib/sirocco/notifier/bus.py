"""The ``eventbridge`` publisher: PutEvents of one event per notification.

The event goes to the bus ``SIROCCO_NOTIFY_EVENT_BUS`` (default: the event
triggers' bus, ``SIROCCO_EVENT_BUS``, itself ``default``) with ``source``
``SIROCCO_NOTIFY_EVENT_SOURCE`` (``sirocco``), ``detail-type`` the event type
(``WORKFLOW_SUCCEEDED`` ...), ``detail`` Mistral's payload and ``time`` the
event's. The bus and source are the stack's, not the publisher's: an API user
cannot put events on other buses or forge other sources. An event trigger with
exchange ``sirocco`` and event ``WORKFLOW_SUCCEEDED`` thus starts a workflow when
another one succeeds.
"""

from __future__ import annotations

from typing import Any, Mapping

from botocore.exceptions import BotoCoreError, ClientError

from .notification import Notification, PublishContext, PublishFailed

#: entry errors that another attempt may not meet
_RETRIED = {"ThrottlingException", "InternalException", "InternalFailure", "ServiceUnavailable"}


def publish(note: Notification, options: Mapping[str, Any], context: PublishContext) -> None:
    settings = context.settings
    try:
        entry = context.eventbridge().put_event(bus=settings.event_bus, source=settings.event_source,
                                                detail_type=note.event, detail=note.data,
                                                time=note.timestamp or None)
    except (ClientError, BotoCoreError) as exc:
        raise PublishFailed(f"PutEvents to {settings.event_bus}: {exc}") from None
    code = entry.get("ErrorCode")
    if code:
        raise PublishFailed(f"PutEvents to {settings.event_bus}: {code}: {entry.get('ErrorMessage')}",
                            retry=code in _RETRIED)
