"""The notifier's configuration, from the environment (read when asked, not at import).

Publishers are Mistral's ``params.notify`` entries: ``{"type": "webhook" | "log" |
"eventbridge" | "noop", "event_types": [...], ...options}``. ``SIROCCO_NOTIFY``
holds a JSON list of them applied to every execution, as Mistral's
``[notifier] notify`` option: they are added to a top-level execution's params
when it starts (``with_global``), so the engine emits for them and its
sub-workflows inherit them, exactly like publishers given per execution.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from typing import Any, Mapping

NOTIFY_VARIABLE = "SIROCCO_NOTIFY"
DEFAULT_ATTEMPTS = 8
DEFAULT_BACKOFF = 2.0
DEFAULT_BACKOFF_MAX = 300
DEFAULT_SOURCE = "sirocco"


class NotifyConfigError(ValueError):
    """``SIROCCO_NOTIFY`` is not a JSON list of publisher objects."""


def parse_publishers(text: str | None) -> tuple[dict[str, Any], ...]:
    """The publishers of a ``SIROCCO_NOTIFY`` text ('' or unset: none)."""
    if not text or not text.strip():
        return ()
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise NotifyConfigError(f"{NOTIFY_VARIABLE} is not JSON: {exc}") from None
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(p, dict) and p.get("type") for p in value):
        raise NotifyConfigError(f"{NOTIFY_VARIABLE} must be a JSON list of objects with a 'type' "
                                f"(Mistral's params.notify entries), got {text[:200]!r}")
    return tuple(value)


_cache: dict[str, tuple[dict[str, Any], ...]] = {}


def global_publishers(environ: Mapping[str, str] | None = None) -> tuple[dict[str, Any], ...]:
    """``SIROCCO_NOTIFY``'s publishers (parsed once per distinct text)."""
    text = (os.environ if environ is None else environ).get(NOTIFY_VARIABLE, "")
    if text not in _cache:
        _cache[text] = parse_publishers(text)
    return _cache[text]


def with_global(params: Mapping[str, Any], publishers: tuple[dict[str, Any], ...]) -> dict[str, Any]:
    """``params`` with ``publishers`` appended to its ``notify`` (those already there are not
    repeated, so an execution re-run from another one does not get them twice)."""
    if not publishers:
        return dict(params)
    given = params.get("notify")
    current = list(given) if isinstance(given, (list, tuple)) else []
    added = [p for p in publishers if p not in current]
    if not added:
        return dict(params)
    return {**params, "notify": current + added}


def publisher_key(publisher: Mapping[str, Any] | None) -> str:
    """A short stable name of a publisher: its messages' FIFO group is ``<execution>:<key>``,
    so one publisher's outage holds back only its own notifications."""
    text = json.dumps(publisher or {}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class NotifierSettings:
    """How the notifier handler delivers.

    ``attempts``: deliveries of one notification before it is given up into the
    dead-letter queue with its cause (the notifier queue's ``maxReceiveCount`` must not be
    lower); ``backoff`` / ``backoff_max``: seconds before the n-th retry, ``backoff * 2**(n-1)``
    capped, applied as the failed messages' visibility timeout; ``event_bus`` / ``event_source``:
    where the ``eventbridge`` publisher puts events and with which ``source``.
    """

    attempts: int = DEFAULT_ATTEMPTS
    backoff: float = DEFAULT_BACKOFF
    backoff_max: int = DEFAULT_BACKOFF_MAX
    event_bus: str = "default"
    event_source: str = DEFAULT_SOURCE
    publishers: tuple[dict[str, Any], ...] = field(default=())

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "NotifierSettings":
        env = os.environ if environ is None else environ
        d = cls()
        return cls(
            attempts=max(1, int(env.get("SIROCCO_NOTIFY_ATTEMPTS") or d.attempts)),
            backoff=max(0.0, float(env.get("SIROCCO_NOTIFY_BACKOFF") or d.backoff)),
            backoff_max=min(43200, int(env.get("SIROCCO_NOTIFY_BACKOFF_MAX") or d.backoff_max)),
            event_bus=env.get("SIROCCO_NOTIFY_EVENT_BUS") or env.get("SIROCCO_EVENT_BUS") or d.event_bus,
            event_source=env.get("SIROCCO_NOTIFY_EVENT_SOURCE") or d.event_source,
            publishers=global_publishers(env),
        )

    def delay_after(self, attempt: int) -> int:
        """Whole seconds to wait after failed attempt number ``attempt`` (1 = the first)."""
        return int(min(self.backoff_max, self.backoff * 2 ** max(0, attempt - 1)))
