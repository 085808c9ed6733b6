"""A stack of the app's handlers with a FIFO notifier queue, and a webhook receiver on
127.0.0.1 (std.http's egress policy allows loopback here, as `sirocco dev` does)."""

from __future__ import annotations

from typing import Iterator

import pytest

from .harness import Receiver, Stack, make_stack


@pytest.fixture(scope="module")
def stack(aws_endpoint: str) -> Iterator[Stack]:
    yield from make_stack(aws_endpoint)


@pytest.fixture()
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    monkeypatch.setenv("SIROCCO_HTTP_DENIED_CIDRS", "")
    r = Receiver()
    yield r
    r.close()
