"""``/``, ``/v2`` and ``/info``: what a client reads to find the API.

``/`` lists the API versions and ``/v2`` points at itself, as Mistral's root
controllers answer. Mistral serves ``/info`` from a JSON file an operator
provides and answers 400 "Info endpoint disabled." by default; Sirocco
always answers it, naming itself and the Mistral API it serves.
"""

from __future__ import annotations

from typing import Any

from sirocco import __version__

MISTRAL_VERSION = "23.0.0"


def versions(base_url: str) -> tuple[int, dict[str, Any]]:
    """GET /: Mistral's APIVersions."""
    return 200, {"versions": [{"id": "v2.0", "status": "CURRENT",
                               "links": [{"href": f"{base_url}/v2", "target": "v2", "rel": "self"}]}]}


def v2(base_url: str) -> tuple[int, dict[str, Any]]:
    """GET /v2: Mistral's RootResource."""
    return 200, {"uri": f"{base_url}/v2"}


def info() -> tuple[int, dict[str, Any]]:
    """GET /info."""
    return 200, {"name": "sirocco", "version": __version__, "api_versions": ["v2.0"],
                 "compatible_with": f"Mistral {MISTRAL_VERSION} REST API v2"}
