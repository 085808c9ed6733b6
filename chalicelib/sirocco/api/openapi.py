"""``GET /v2/openapi.json``: the API's OpenAPI description.

The description is a data file shipped with the package (``openapi.yaml``,
beside this module: package data for pip, part of ``chalicelib/`` for
Lambda), read once per process. Its ``servers`` is the URL the client
reached, so that a tool reading it behind API Gateway's stage prefix calls
the right place.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import yaml

PATH = Path(__file__).with_name("openapi.yaml")


@functools.lru_cache(maxsize=1)
def description() -> dict[str, Any]:
    """The description as loaded from ``openapi.yaml`` (do not mutate it)."""
    with PATH.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def document(base_url: str) -> tuple[int, dict[str, Any]]:
    """The description served to a client that reached the API at ``base_url``."""
    served = copy.copy(description())  # shallow: only ``servers`` differs
    served["servers"] = [{"url": base_url}]
    return 200, served
