"""What an event matched by a trigger's rule starts: the execution request.

The execution id is derived from the trigger id and the event id, so a second
delivery of the same event (EventBridge and SQS deliver at least once) names the
same execution and the idempotent create starts nothing new. The input is the
trigger's ``workflow_input`` with the ``event_input`` JSONPaths' values over it (a
path matching one value gives it, several give their list, none leaves the input to
its default); the params are the trigger's plus ``event_params``, the whole event,
where Mistral puts the event's properties.
"""

from __future__ import annotations

import datetime
import json
from typing import Any, Mapping

from sirocco.engine import derive_id

from .pattern import compiled, execution_params, input_mapping

#: what the API takes as an execution's description
DESCRIPTION_LIMIT = 255


def execution_id(trigger_id: str, event_id: str) -> str:
    return derive_id(f"EventTrigger:{trigger_id}:{event_id}", 0)


def normalized(event: Mapping[str, Any]) -> dict[str, Any]:
    """The event as AWS delivers it: ``time`` as ISO 8601 (the emulator gives epoch seconds)."""
    out = dict(event)
    when = out.get("time")
    if isinstance(when, (int, float)) and not isinstance(when, bool):
        out["time"] = datetime.datetime.fromtimestamp(when, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return out


def mapped_input(mapping: Mapping[str, str], event: Mapping[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, path in mapping.items():
        values = [match.value for match in compiled(path).find(event)]
        if len(values) == 1:
            found[name] = values[0]
        elif values:
            found[name] = values
    return found


def _json(text: Any) -> dict[str, Any]:
    if isinstance(text, dict):
        return dict(text)
    return json.loads(text) if text else {}


def execution_request(trigger: Any, event: Mapping[str, Any]) -> dict[str, Any]:
    """The body of ``POST /v2/executions`` (api.executions.create) for ``event``."""
    params = _json(trigger.workflow_params)
    wf_input = {**_json(trigger.workflow_input), **mapped_input(input_mapping(params), event)}
    return {"id": execution_id(trigger.id, str(event.get("id", ""))), "workflow_id": trigger.workflow_id,
            "input": wf_input, "params": {**execution_params(params), "event_params": dict(event)},
            "description": description(trigger)}


def description(trigger: Any) -> str:
    """Mistral's description of a triggered execution (JSON text); without the trigger's
    name when that would pass the API's 255 characters."""
    by = {"type": "event_trigger", "id": trigger.id, "name": trigger.name}
    text = json.dumps({"description": f"Workflow execution created by event trigger '({trigger.id})'.",
                       "triggered_by": by})
    if len(text) > DESCRIPTION_LIMIT:
        by.pop("name")
        text = json.dumps({"description": f"Workflow execution created by event trigger '({trigger.id})'.",
                           "triggered_by": by})
    return text
