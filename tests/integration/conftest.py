"""The embedded AWS emulator for integration tests: moto's server on 127.0.0.1,
a free port, one per test session, reached over real HTTP by real boto3 and
PynamoDB through the standard AWS environment variables."""

from __future__ import annotations

import logging
import os
import socket
from typing import Iterator

import pytest

_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def aws_endpoint() -> Iterator[str]:
    """Start moto's server and point the standard AWS variables at it."""
    from moto.server import ThreadedMotoServer

    from sirocco.local.devemulator import tune_moto

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    tune_moto()  # the emulator as `sirocco dev` runs it

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    saved = {k: os.environ.get(k) for k in [*_ENV, "AWS_ENDPOINT_URL", "AWS_PROFILE"]}
    os.environ.update(_ENV)
    os.environ["AWS_ENDPOINT_URL"] = url
    os.environ.pop("AWS_PROFILE", None)
    try:
        yield url
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="session", autouse=True)
def api_without_tokens() -> Iterator[None]:
    """The API's tests call it without tokens, as `sirocco dev` without --auth serves it;
    tests/integration/security turns authentication on for its own tests."""
    saved = os.environ.get("SIROCCO_AUTH")
    os.environ["SIROCCO_AUTH"] = "optional"
    yield
    if saved is None:
        os.environ.pop("SIROCCO_AUTH", None)
    else:
        os.environ["SIROCCO_AUTH"] = saved
