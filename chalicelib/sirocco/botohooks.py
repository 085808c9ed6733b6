"""Attach hooks to every botocore client this process makes.

Fault injection (local/faults.py) and metering (metering/meter.py) both need the
event system of each client boto3 and PynamoDB create; one patch of
``botocore.session.Session.create_client`` serves every user, so that they can be
switched on and off independently without undoing each other.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

Attach = Callable[[Any], Any]

_lock = threading.Lock()
_hooks: dict[str, Attach] = {}
_original: Callable[..., Any] | None = None


def add(name: str, attach: Attach) -> None:
    """Call ``attach(client)`` on every client made from now on (idempotent per name)."""
    global _original
    import botocore.session

    with _lock:
        _hooks[name] = attach
        if _original is not None:
            return
        original = botocore.session.Session.create_client

        def create_client(session: Any, *args: Any, **kwargs: Any) -> Any:
            client = original(session, *args, **kwargs)
            for hook in list(_hooks.values()):
                hook(client)
            return client

        _original = original
        botocore.session.Session.create_client = create_client  # type: ignore[method-assign]


def remove(name: str) -> None:
    """Stop attaching ``name``; the patch goes when no hook is left."""
    global _original
    import botocore.session

    with _lock:
        _hooks.pop(name, None)
        if not _hooks and _original is not None:
            botocore.session.Session.create_client = _original  # type: ignore[method-assign]
            _original = None


def installed(name: str) -> bool:
    return name in _hooks
