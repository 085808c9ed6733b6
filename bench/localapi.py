"""What the benchmarks share to reach the service they start: a free port and a JSON call."""

from __future__ import annotations

import json
import socket
import urllib.request
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(root: str, method: str, path: str, body: Any = None, content_type: str = "application/json") -> Any:
    """``method root+path`` with ``body`` (text as it is, anything else as JSON); the JSON answer."""
    data = body.encode() if isinstance(body, str) else json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(root + path, data=data, method=method, headers={"Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=300) as response:
        return json.loads(response.read() or b"null")
