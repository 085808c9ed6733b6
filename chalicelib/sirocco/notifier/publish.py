"""Dispatch by publisher type, as Mistral's notifier: the publisher entry less
``type`` and ``event_types`` is the publisher's options."""

from __future__ import annotations

from typing import Any, Callable, Mapping

from . import bus, logline, webhook
from .notification import Notification, PublishContext, PublishFailed


def _noop(note: Notification, options: Mapping[str, Any], context: PublishContext) -> None:
    """Mistral's ``noop`` publisher."""


PUBLISHERS: dict[str, Callable[[Notification, Mapping[str, Any], PublishContext], None]] = {
    "webhook": webhook.publish,
    "log": logline.publish,
    "eventbridge": bus.publish,
    "noop": _noop,
}


def publish(publisher: Mapping[str, Any], note: Notification, context: PublishContext) -> None:
    """Deliver ``note`` to one publisher; ``PublishFailed`` says why not."""
    options = {k: v for k, v in publisher.items() if k not in ("type", "event_types")}
    kind = publisher.get("type")
    handler = PUBLISHERS.get(kind) if isinstance(kind, str) else None
    if handler is None:
        raise PublishFailed(f"unknown publisher type {kind!r} (known: {', '.join(sorted(PUBLISHERS))})",
                            retry=False)
    handler(note, options, context)
