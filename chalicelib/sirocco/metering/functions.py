"""Each Lambda function's configured memory, from .chalice/config.json.

The same file Chalice deploys from: a function's ``lambda_memory_size`` under the
stage's ``lambda_functions``, else the stage's, else the top level's (the API
function, ``api_handler``, and any function not named there). In Lambda the
runtime says it (``AWS_LAMBDA_FUNCTION_MEMORY_SIZE``) and wins.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

#: Lambda's own default, when nothing says otherwise
LAMBDA_DEFAULT_MB = 128
API_FUNCTION = "api_handler"


def memory_mb(config: Mapping[str, Any], function: str, stage: str = "dev") -> int:
    """``function``'s memory in MB as ``config`` (a .chalice/config.json) sets it."""
    stage_config = (config.get("stages") or {}).get(stage) or {}
    own = (stage_config.get("lambda_functions") or {}).get(function) or {}
    for layer in (own, stage_config, config):
        if layer.get("lambda_memory_size"):
            return int(layer["lambda_memory_size"])
    return LAMBDA_DEFAULT_MB


def config_path() -> Path | None:
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / ".chalice" / "config.json"
        if candidate.is_file():
            return candidate
    return None


@lru_cache(maxsize=None)
def _disk_config() -> dict[str, Any]:
    path = config_path()
    if path is None:
        return {}
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def configured_mb(function: str) -> int:
    """The memory the running function has (Lambda) or will have (the local runtime)."""
    if os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"):
        return int(os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"])
    return memory_mb(_disk_config(), function, os.environ.get("SIROCCO_STAGE", "dev"))
