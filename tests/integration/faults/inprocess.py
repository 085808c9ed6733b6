"""The emulator without its sockets: requests botocore would send to the test
emulator's URL are handed to moto's server application (the same WSGI app the
server runs) in this thread instead.

The fault tests make tens of thousands of AWS calls; over the loopback socket
each costs a TCP connection and a server thread (werkzeug closes every
connection), a third of the time of a call here; and the server's app lists moto's
package directory on every request to route it (here, once). Everything else is as over HTTP:
botocore serialises, signs, retries and parses, the events fault injection uses
(``before-send``, ``after-call``) fire, and moto answers from the same backends
as the server, so other clients still see the same state.
"""

from __future__ import annotations

import io
import sys
from contextlib import contextmanager
from typing import Any, Iterator
from urllib.parse import urlsplit

import botocore.endpoint
from botocore.awsrequest import AWSResponse


def _environ(request: Any) -> dict[str, Any]:
    url = urlsplit(request.url)
    body = request.body or b""
    if hasattr(body, "read"):
        body = body.read()
    if isinstance(body, str):
        body = body.encode("utf-8")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method, "PATH_INFO": url.path or "/", "QUERY_STRING": url.query,
        "SERVER_NAME": url.hostname or "127.0.0.1", "SERVER_PORT": str(url.port or 80),
        "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": url.netloc,
        "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": url.scheme, "wsgi.version": (1, 0), "wsgi.multithread": True,
        "wsgi.multiprocess": False, "wsgi.run_once": False}
    for name, value in request.headers.items():
        key = name.upper().replace("-", "_")
        value = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        environ["CONTENT_TYPE" if key == "CONTENT_TYPE" else f"HTTP_{key}"] = value
    return environ


@contextmanager
def in_process(endpoint: str) -> Iterator[None]:
    """While it lasts, botocore requests to ``endpoint`` are answered in-process."""
    from moto import backends
    from moto.core.botocore_stubber import MockRawResponse
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    app = DomainDispatcherApplication(create_backend_app)
    original = botocore.endpoint.Endpoint._send
    listing = backends.list_of_moto_modules
    modules = list(listing())

    def send(self: Any, request: Any) -> Any:
        if not request.url.startswith(endpoint):
            return original(self, request)
        answer: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            answer["status"], answer["headers"] = status, headers

        data = b"".join(app(_environ(request), start_response))
        return AWSResponse(request.url, int(answer["status"].split()[0]), dict(answer["headers"]), MockRawResponse(data))

    botocore.endpoint.Endpoint._send = send  # type: ignore[method-assign]
    # the app lists moto's package directory on every request to route it: once is enough
    backends.list_of_moto_modules = lambda: iter(modules)  # type: ignore[assignment]
    try:
        yield
    finally:
        botocore.endpoint.Endpoint._send = original  # type: ignore[method-assign]
        backends.list_of_moto_modules = listing  # type: ignore[assignment]
