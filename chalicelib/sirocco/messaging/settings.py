"""Queue names and limits, from the environment (nothing is read at import time)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Mapping

#: SQS refuses a message (body and attributes) above 256 KiB; bodies above this go to S3.
SQS_MESSAGE_LIMIT = 256 * 1024
#: what a body may hold before it goes to S3 (room left for attributes)
DEFAULT_MESSAGE_LIMIT = SQS_MESSAGE_LIMIT - 6 * 1024
#: SQS's longest per-message delay
MAX_DELAY = 900
#: receives of a message before it goes to its dead-letter queue (the template's MaxReceiveCount)
MAX_RECEIVES = 5

_QUEUE_NAME = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True, slots=True)
class QueueSettings:
    """Where the queues are. ``endpoint_url`` None lets botocore decide
    (``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_SQS``, else AWS). The notifier
    queue is FIFO (one ordered stream per execution and publisher); the events
    queue receives what EventBridge rules of event triggers deliver."""

    region: str = "us-east-1"
    endpoint_url: str | None = None
    engine_queue: str = "sirocco-engine.fifo"
    executor_queue: str = "sirocco-executor"
    timer_queue: str = "sirocco-timer"
    notifier_queue: str = "sirocco-notifier.fifo"
    events_queue: str = "sirocco-events"
    message_limit: int = DEFAULT_MESSAGE_LIMIT
    max_delay: int = MAX_DELAY
    #: a handler failing a message on this receive copies it to the DLQ with its cause
    max_receives: int = MAX_RECEIVES

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "QueueSettings":
        env = os.environ if environ is None else environ
        d = cls()
        return cls(
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or d.region,
            endpoint_url=env.get("AWS_ENDPOINT_URL_SQS") or env.get("AWS_ENDPOINT_URL") or None,
            engine_queue=env.get("SIROCCO_ENGINE_QUEUE") or d.engine_queue,
            executor_queue=env.get("SIROCCO_EXECUTOR_QUEUE") or d.executor_queue,
            timer_queue=env.get("SIROCCO_TIMER_QUEUE") or d.timer_queue,
            notifier_queue=env.get("SIROCCO_NOTIFIER_QUEUE") or d.notifier_queue,
            events_queue=env.get("SIROCCO_EVENTS_QUEUE") or d.events_queue,
            message_limit=int(env.get("SIROCCO_MESSAGE_LIMIT") or d.message_limit),
            max_delay=min(MAX_DELAY, int(env.get("SIROCCO_MAX_DELAY") or d.max_delay)),
            max_receives=max(1, int(env.get("SIROCCO_MAX_RECEIVE_COUNT") or d.max_receives)),
        )

    def executor_queue_for(self, target: str | None) -> str:
        """The executor queue of a task ``target``: ``<executor queue>-<target>``
        (characters SQS refuses in a name become ``-``); the default queue without one."""
        if not target:
            return self.executor_queue
        return f"{self.executor_queue}-{_QUEUE_NAME.sub('-', str(target))}"[:80]

    def queues(self) -> dict[str, str]:
        """Role -> queue name."""
        return {"engine": self.engine_queue, "executor": self.executor_queue, "timer": self.timer_queue,
                "notifier": self.notifier_queue, "events": self.events_queue}


def dead_letter_queue(name: str) -> str:
    """The dead-letter queue infra/resources.yaml gives queue ``name``:
    ``<name>-dlq``, before ``.fifo`` for a FIFO queue."""
    if name.endswith(".fifo"):
        return f"{name[:-5]}-dlq.fifo"
    return f"{name}-dlq"
