"""The texts and signature strings Mistral derives from an uploaded document.

Mistral shows, besides what a user uploaded, a few values computed from it:
each workflow of a multi-workflow document stored alone (the document's
``version`` and that workflow dumped again), a workbook member's part of the
workbook text (its lines, unindented), and the ``input`` strings of workflows
(``a, b="1"``) and ad-hoc actions (``a, b=1``, defaults as JSON). They live
here so that the workflow, workbook and action resources compute them alike.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from sirocco.language.errors import Errors
from sirocco.language.yaml_loader import load as load_yaml


def plain(value: Any) -> Any:
    """Loader values (line-aware dict and list subclasses) as plain ones."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def raw(text: str) -> dict[str, Any]:
    """The document as plain values (call after it validated: it is a mapping)."""
    root = plain(load_yaml(text, Errors()))
    return root if isinstance(root, dict) else {}


def dump_one(version: Any, name: str, body: Any) -> str:
    """One workflow of a multi-workflow document, as Mistral stores it alone."""
    return yaml.safe_dump({"version": version, name: body}, sort_keys=False)


def member_text(document: str, section: str, member: str) -> str:
    """A workbook member's lines (``section`` is ``workflows`` or ``actions``),
    unindented to the member's own key, as Mistral shows a workbook's
    workflows and actions. A document written in flow style has no such lines:
    the member is then dumped from its value."""
    lines = document.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == f"{section}:"), None)
    if start is not None:
        for i in range(start + 1, len(lines)):
            stripped = lines[i].strip()
            if stripped != f"{member}:":
                continue
            indent = len(lines[i]) - len(lines[i].lstrip())
            picked = [lines[i].lstrip()]
            for line in lines[i + 1:]:
                content = line.strip()
                depth = len(line) - len(line.lstrip())
                if content and not content.startswith("#") and depth <= indent:
                    break
                picked.append(line[indent:] if content and depth >= indent else line)
            return "".join(picked).rstrip() + "\n"
    body = (raw(document).get(section) or {}).get(member)
    return yaml.safe_dump({member: body}, sort_keys=False)


def workflow_input(raw_input: Any) -> str:
    """A workflow's ``input`` string: ``name, greeting="Hi"`` (defaults as Python text)."""
    parts = []
    for param in raw_input or []:
        if isinstance(param, dict):
            parts.extend(f'{k}="{v}"' for k, v in param.items())
        else:
            parts.append(str(param))
    return ", ".join(parts)


def action_input(raw_input: Any) -> str | None:
    """An ad-hoc action's ``input`` string: ``x, y={"k": 1}`` (defaults as JSON); None if it has none."""
    parts = []
    for param in raw_input or []:
        if isinstance(param, dict):
            parts.extend(f"{k}={json.dumps(v)}" for k, v in param.items())
        else:
            parts.append(str(param))
    return ", ".join(parts) or None


def interface(body: Any) -> dict[str, Any]:
    """A workflow's ``interface``: its input as written and its output names."""
    if not isinstance(body, dict):
        return {"input": [], "output": []}
    output = body.get("output")
    return {"input": list(body.get("input") or []), "output": list(output) if isinstance(output, dict) else []}
