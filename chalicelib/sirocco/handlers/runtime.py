"""What the handlers and the API talk to: the stores, the queues, the clock.

A Lambda builds one ``Runtime`` at cold start from its environment
(``Runtime.from_env``) and keeps it for the container's life; tests and
``sirocco dev`` build their own and either pass it to the handlers or install
it with ``set_runtime``. Building one makes no AWS call.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from sirocco.actions import ActionRegistry, default_registry
from sirocco.messaging import QueueSettings, Queues
from sirocco.persistence import ExecutionStore, PayloadStore, Settings, build_models
from sirocco.persistence.definitions import DefinitionStore
from sirocco.persistence.settings import DEFAULT_PROJECT

from .specs import DefinitionCatalog

DEFAULT_APPLY_WAIT = 2.0
#: actions an engine batch runs itself at most (std.noop, std.echo, std.fail: inline.py)
DEFAULT_INLINE_ACTIONS = 250


@dataclass
class Runtime:
    settings: Settings
    queue_settings: QueueSettings
    executions: ExecutionStore
    definitions: DefinitionStore
    queues: Queues
    payloads: PayloadStore
    #: engine loads: lazy (header first, records on demand) or the whole partition
    lazy_load: bool = True
    clock: Callable[[], float] = time.time
    #: tests: called with a step name ("engine.saved", "engine.sent") to inject crashes
    checkpoint: Callable[[str], None] | None = None
    #: the URL of this API (``.../v2``), given to async actions as their callback base
    api_url: str | None = None
    #: the actions the executor runs and the engine checks inputs against
    registry: ActionRegistry = default_registry
    #: seconds a state-changing API request waits for the engine to apply its event, so that
    #: it answers (and a GET right after reads) the changed state, as Mistral's synchronous API
    apply_wait: float = 0.0
    #: actions an engine batch runs itself at most (inline.py); 0: every action goes to an executor
    inline_actions: int = 0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Runtime":
        env = os.environ if environ is None else environ
        settings = Settings.from_env(env)
        models = build_models(settings)
        payloads = PayloadStore(settings)
        return cls(
            settings=settings,
            queue_settings=(qs := QueueSettings.from_env(env)),
            executions=ExecutionStore(settings, models, payloads),
            definitions=DefinitionStore(settings, models),
            queues=Queues(qs, payloads=payloads),
            payloads=payloads,
            lazy_load=(env.get("SIROCCO_LAZY_LOAD", "1") not in ("0", "false", "no")),
            api_url=env.get("SIROCCO_API_URL") or None,
            apply_wait=float(env.get("SIROCCO_API_APPLY_WAIT") or DEFAULT_APPLY_WAIT),
            inline_actions=int(env.get("SIROCCO_INLINE_ACTIONS") or DEFAULT_INLINE_ACTIONS),
        )

    def catalog(self, meta: Mapping[str, Any] | None = None,
                pinned: Mapping[str, str] | None = None) -> DefinitionCatalog:
        """The specs an execution with ``meta`` (project_id, namespace) sees;
        ``pinned``: workflow name -> the definition text it started with."""
        meta = meta or {}
        return DefinitionCatalog(self.definitions, meta.get("project_id") or DEFAULT_PROJECT,
                                 meta.get("namespace") or "", self.registry, pinned)

    def step(self, name: str) -> None:
        if self.checkpoint is not None:
            self.checkpoint(name)


_runtime: Runtime | None = None
_lock = threading.Lock()


def get_runtime() -> Runtime:
    """The process's runtime, built from the environment on first use."""
    global _runtime
    if _runtime is None:
        with _lock:
            if _runtime is None:
                _runtime = Runtime.from_env()
    return _runtime


def set_runtime(runtime: Runtime | None) -> None:
    """Install ``runtime`` for handlers called without one (None: rebuild from the environment)."""
    global _runtime
    _runtime = runtime
