"""The notifier tests' stack (handlers on the emulator, an EventBridge bus of its own)."""

from __future__ import annotations

from typing import Iterator

import pytest

from ..notifier.harness import Stack, make_stack


@pytest.fixture(scope="module")
def stack(aws_endpoint: str) -> Iterator[Stack]:
    yield from make_stack(aws_endpoint)
