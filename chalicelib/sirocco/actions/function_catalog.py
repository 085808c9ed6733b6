"""Action functions: which Lambdas of ``functions/`` a workflow can call, and how.

Each directory ``functions/<name>/`` holding a ``function.json`` is one action
function: it is deployed as the Lambda ``<prefix>-fn-<name>`` (infra) and
offered to workflows as the action ``fn.<name>``. The manifest says what the
action looks like to a workflow and how the Lambda is built::

    {"description": "...", "input": "text, operations=[\\"strip\\"]",
     "handler": "handler.handler", "timeout": 30, "memory": 256}

The Chalice app never sees ``functions/`` (it is not packaged with the app), so
the template hands the executor the catalog it needs in one environment
variable, ``SIROCCO_FUNCTIONS``: a JSON object of action name -> ``{"function",
"dir", "input", "description", "handler", "timeout"}`` (``to_env``,
``from_env``). This module is pure: no AWS, no import of the function code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from .signature import parse_spec

#: the action name of ``functions/<name>/`` is ``ACTION_PREFIX + name``
ACTION_PREFIX = "fn."
MANIFEST = "function.json"
ENV_VARIABLE = "SIROCCO_FUNCTIONS"
#: Lambda's own bounds
MAX_TIMEOUT = 900
MIN_MEMORY, MAX_MEMORY = 128, 10240
#: a directory name that can be a Lambda name part, a CloudFormation id part and an action name
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_HANDLER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$")
_KEYS = {"description", "input", "handler", "timeout", "memory"}


class ManifestError(ValueError):
    """A ``function.json`` that cannot be deployed; the message names the file."""


@dataclass(frozen=True)
class FunctionSpec:
    """One action function, as the executor needs it."""

    #: the directory name under ``functions/``
    name: str
    #: the Lambda's name (``<prefix>-fn-<name>`` when deployed)
    function: str
    #: Mistral's input string (``text, operations=["strip"]``); None takes any input
    input: str | None = None
    description: str = ""
    #: ``module.function`` inside the directory, as Lambda's Handler setting
    handler: str = "handler.handler"
    #: the Lambda's timeout (seconds): the executor waits no longer
    timeout: int = 60
    memory: int = 256

    @property
    def action(self) -> str:
        return ACTION_PREFIX + self.name

    def to_dict(self) -> dict[str, Any]:
        """The catalog entry (``memory`` only matters to the template)."""
        entry: dict[str, Any] = {"function": self.function, "dir": self.name, "handler": self.handler,
                                 "timeout": self.timeout}
        if self.input is not None:
            entry["input"] = self.input
        if self.description:
            entry["description"] = self.description
        return entry


def function_name(prefix: str, name: str) -> str:
    """The Lambda name of ``functions/<name>`` in the stack of ``prefix``."""
    return f"{prefix}-fn-{name}"


def read_manifest(directory: Path, prefix: str = "sirocco") -> FunctionSpec:
    """The spec of ``directory`` (``functions/<name>``); ``ManifestError`` if it is wrong."""
    path = directory / MANIFEST
    name = directory.name
    if not _NAME.match(name):
        raise ManifestError(f"{path}: the directory name must match {_NAME.pattern} "
                            "(it becomes the action fn.<name> and the Lambda <prefix>-fn-<name>)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ManifestError(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise ManifestError(f"{path}: expected a JSON object")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise ManifestError(f"{path}: unknown keys {unknown}; allowed: {sorted(_KEYS)}")
    spec = FunctionSpec(name=name, function=function_name(prefix, name), input=data.get("input"),
                        description=str(data.get("description") or ""),
                        handler=data.get("handler", "handler.handler"), timeout=data.get("timeout", 60),
                        memory=data.get("memory", 256))
    _check(spec, str(path))
    module = spec.handler.split(".")[0]
    if not (directory / f"{module}.py").is_file():
        raise ManifestError(f"{path}: handler {spec.handler!r} needs {directory / (module + '.py')}")
    return spec


def _check(spec: FunctionSpec, where: str) -> None:
    if spec.input is not None:
        if not isinstance(spec.input, str):
            raise ManifestError(f"{where}: input must be Mistral's input string, e.g. 'text, count=1'")
        try:
            parse_spec(spec.input)
        except ValueError as exc:
            raise ManifestError(f"{where}: input: {exc}") from None
    if not isinstance(spec.handler, str) or not _HANDLER.match(spec.handler):
        raise ManifestError(f"{where}: handler must be 'module.function', got {spec.handler!r}")
    if not isinstance(spec.timeout, int) or isinstance(spec.timeout, bool) or not 1 <= spec.timeout <= MAX_TIMEOUT:
        raise ManifestError(f"{where}: timeout must be whole seconds from 1 to {MAX_TIMEOUT}")
    if not isinstance(spec.memory, int) or isinstance(spec.memory, bool) or not MIN_MEMORY <= spec.memory <= MAX_MEMORY:
        raise ManifestError(f"{where}: memory must be MB from {MIN_MEMORY} to {MAX_MEMORY}")


def discover(functions_dir: Path, prefix: str = "sirocco") -> list[FunctionSpec]:
    """Every action function under ``functions_dir`` (directories with a manifest), by name."""
    if not functions_dir.is_dir():
        return []
    return [read_manifest(d, prefix) for d in sorted(functions_dir.iterdir())
            if d.is_dir() and (d / MANIFEST).is_file()]


def to_env(specs: Iterable[FunctionSpec]) -> str:
    """The ``SIROCCO_FUNCTIONS`` value for ``specs`` (compact JSON)."""
    return json.dumps({s.action: s.to_dict() for s in specs}, separators=(",", ":"), sort_keys=True)


def from_env(environ: Mapping[str, str]) -> list[FunctionSpec]:
    """The catalog in ``environ`` (none when the variable is unset or empty)."""
    text = environ.get(ENV_VARIABLE) or ""
    if not text.strip():
        return []
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ManifestError(f"{ENV_VARIABLE} is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ManifestError(f"{ENV_VARIABLE} must be a JSON object of action name -> function")
    specs = []
    for action, entry in data.items():
        if not isinstance(entry, dict) or not action.startswith(ACTION_PREFIX) or "function" not in entry:
            raise ManifestError(f"{ENV_VARIABLE}: {action!r} is not an action function entry")
        spec = FunctionSpec(name=entry.get("dir") or action[len(ACTION_PREFIX):], function=entry["function"],
                            input=entry.get("input"), description=entry.get("description", ""),
                            handler=entry.get("handler", "handler.handler"), timeout=entry.get("timeout", 60))
        if spec.action != action:
            raise ManifestError(f"{ENV_VARIABLE}: {action!r} names the directory {spec.name!r} (fn.{spec.name})")
        _check(spec, f"{ENV_VARIABLE}[{action}]")
        specs.append(spec)
    return specs
