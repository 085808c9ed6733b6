"""What a publisher is given, and how it says it failed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from .config import NotifierSettings


@dataclass(frozen=True)
class Notification:
    """One notification: Mistral's event type and payload (``data``, with ``event``,
    ``workflow_id`` and ``project_id``), and ``id``, the same for every delivery of it
    (None when the queue does not carry one: a standard queue)."""

    execution_id: str
    event: str
    entity: str  # "workflow" | "task"
    entity_id: str
    data: dict[str, Any]
    timestamp: float = 0.0
    id: str | None = None


class PublishFailed(Exception):
    """A publisher could not deliver. ``retry`` False: trying again cannot help
    (a 4xx answer, a URL outside the egress policy, an unknown publisher type)."""

    def __init__(self, cause: str, *, retry: bool = True) -> None:
        super().__init__(cause)
        self.cause = cause
        self.retry = retry


@dataclass
class PublishContext:
    """What publishers need besides the notification: the settings, an EventBridge
    adapter (made on first use) and a writer of structured log lines."""

    settings: NotifierSettings
    write_line: Callable[..., None]
    eventbridge: Callable[[], Any]
