"""``PUT /v2/executions/<id>``: pause, resume, cancel; the description; the env.

Checked as Mistral 23 checks them, with its messages: the body's fields and types, then
that the execution exists (404), then that the request changes one thing Mistral allows
(400), then the state change against the current state (400 for an illegal one).

The API never changes an execution's state itself: a pause, resume, cancel or stop
(ERROR or SUCCESS of a running execution) is a ``Pause`` / ``Resume`` / ``Cancel`` /
``Stop`` on the engine queue (group = the execution), whose id
is made from a count the header keeps of such requests, so every request is one event and
a redelivered message the same one. The answer is the execution as that change makes it
(Mistral applies it before answering; here the request waits, briefly, for the engine
to apply it: api/applied.py). A
change an ended execution makes pointless (resume or cancel it) sends nothing and answers
the execution as it is, as Mistral does. A pause or resume of an execution already in that
state is still sent (the engine finds nothing to do), so that the last request wins over
requests the engine has not applied yet.

The description is kept in the header's ``meta``, which the engine never rewrites; the env
of a PAUSED or ERROR execution is changed by one more save of its header (``amend_header``).
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, Mapping

from sirocco.engine import Cancel, Pause, Resume, Stop, derive_id, states
from sirocco.engine.records import ExecutionRecord
from sirocco.messaging.routing import engine_message
from sirocco.persistence.settings import DEFAULT_PROJECT

from . import applied as applied_wait
from . import views
from .errors import ApiError, bad_request
from .execution_list import COLUMNS
from .executions import check_description, environment, merged, missing

STATES = (states.RUNNING, states.PAUSED, states.SUCCESS, states.ERROR, states.CANCELLED)
ENV_STATES = (states.PAUSED, states.ERROR)  # Mistral also allows IDLE: here IDLE is "starting"


def update(rt: Any, execution_id: str, body: Mapping[str, Any], *,
           project_id: str = DEFAULT_PROJECT) -> tuple[int, dict[str, Any]]:
    """PUT /v2/executions/<id> (body: Mistral's Execution resource)."""
    unknown = [k for k in body if k not in COLUMNS]
    if unknown:
        raise bad_request(f"Unknown attribute for argument wf_ex: {', '.join(unknown)}")
    state, description, info = (_text(body, name) for name in ("state", "description", "state_info"))
    if description:
        check_description(description)
    env = _env(rt, body, project_id)
    found = rt.executions.get_execution(execution_id)
    if found is None:
        raise missing(execution_id)
    if not (state or description or env):
        raise bad_request("The property state, description, or env is not provided for update.")
    if description and state:
        raise bad_request("The property description must be updated separately from state.")
    if env and state and state != states.RUNNING:
        raise bad_request("The property env can only be updated when workflow execution is not running or on "
                          "resume from pause.")
    if not state:
        return 200, _change_data(rt, execution_id, description, env)
    if state not in STATES:
        raise bad_request(f"Cannot change state to {state}. Allowed states are: '{', '.join(STATES)}")
    header, meta = found
    changed = _change_state(rt, header, meta, state, info, env)
    if changed is not header and changed.state != header.state:  # an event went: answer what it made
        applied = applied_wait.execution_left(rt, header.id, header.state)
        if applied is not None:
            changed, meta = applied
    return 200, views.execution(changed, meta, published_global=False)


def _text(body: Mapping[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None or isinstance(value, str):
        return value
    raise bad_request(f"Invalid input for field/attribute {name}. Value: '{value}'. Wrong type. "
                      f"Expected '<class 'str'>', got '<class '{type(value).__name__}'>'")


def _env(rt: Any, body: Mapping[str, Any], project_id: str) -> dict[str, Any] | None:
    """``params.env`` of the body (params as an object or JSON text; env as an object or
    the name of a stored environment); None when absent or empty, as Mistral reads it."""
    raw = body.get("params")
    try:
        params = json.loads(raw) if isinstance(raw, str) and raw else raw or {}
    except ValueError as exc:
        raise bad_request(f"Invalid input for field/attribute wf_ex. Value: '{dict(body)}'. {exc}") from None
    if not isinstance(params, dict):
        raise bad_request(f"JsonType field value must be a dictionary [actual={params}]")
    env = params.get("env")
    if isinstance(env, str) and env:
        return environment(rt, env, project_id)
    if env and not isinstance(env, dict):
        raise bad_request(f"env must be a JSON object or an environment name [actual={env}]")
    return env or None


def _change_data(rt: Any, execution_id: str, description: str | None,
                 env: dict[str, Any] | None) -> dict[str, Any]:
    """A description and/or env update: answered as Mistral does, without the fields it
    did not load (input and output; params too for a description alone)."""
    found = None
    if description:
        found = rt.executions.update_meta(execution_id, {"description": description})
        if found is None:
            raise missing(execution_id)
    if env:
        now = rt.clock()

        def merge_env(header: ExecutionRecord) -> None:
            if header.state not in ENV_STATES:
                raise ApiError(403, "Updating env to workflow execution is only permitted if it is in IDLE, "
                                    "PAUSED, or ERROR state.")
            header.params = {**header.params, "env": merged(header.params.get("env") or {}, env)}
            header.updated_at = now

        found = rt.executions.amend_header(execution_id, merge_env)
        if found is None:
            raise missing(execution_id)
        return views.execution(*found, published_global=False, leave_out=("input", "output"))
    assert found is not None
    return views.execution(*found, published_global=False, leave_out=("params", "input", "output"))


def _change_state(rt: Any, header: ExecutionRecord, meta: Mapping[str, Any], state: str, info: str | None,
                  env: dict[str, Any] | None) -> ExecutionRecord:
    """Send the event a state change needs, if any; the header as the change makes it."""
    current = states.RUNNING if header.state == states.IDLE else header.state  # IDLE: its start is queued first
    ended = states.is_completed(current)
    if state == states.PAUSED:
        if ended:
            raise _illegal(header, current, state)
        _send(rt, header.id, "Pause", lambda eid, now: Pause(eid, now))
        return header if current == states.PAUSED else _predicted(rt, header, state=state, state_info=None)
    elif state == states.RUNNING:
        if ended:
            return header
        _send(rt, header.id, "Resume", lambda eid, now: Resume(eid, now, env=env))
        if current == states.PAUSED:
            params = {**header.params, "env": merged(header.params.get("env") or {}, env or {})}
            return _predicted(rt, header, state=state, state_info=None, params=params)
        return header
    elif state == states.CANCELLED:
        if not ended:
            _send(rt, header.id, "Cancel", lambda eid, now: Cancel(eid, now, msg=info))
            return _predicted(rt, header, state=states.CANCELLED, state_info=info, output={"result": info})
    elif state == states.SUCCESS and current != states.SUCCESS and (ended or current == states.PAUSED):
        raise _illegal(header, current, state)
    elif current == states.RUNNING:  # ERROR or SUCCESS of a running execution: Mistral's forced stop
        _send(rt, header.id, "Stop", lambda eid, now: Stop(eid, now, state=state, msg=info))
        output = {"result": info} if state == states.ERROR else header.output
        return _predicted(rt, header, state=state, state_info=info, output=output)
    return header  # nothing to change: Mistral answers the execution as it is


def _illegal(header: ExecutionRecord, current: str, state: str) -> ApiError:
    return bad_request(f"Can't change workflow execution state from {current} to {state}. "
                       f"[workflow={header.workflow}, execution_id={header.id}]")


def _send(rt: Any, execution_id: str, kind: str, make: Any) -> None:
    count = rt.executions.next_ask(execution_id)
    if count is None:
        raise missing(execution_id)
    event = make(derive_id(f"{kind}:{execution_id}:{count}", 0), rt.clock())
    rt.queues.send(rt.queue_settings.engine_queue, [engine_message(event, execution_id)])


def _predicted(rt: Any, header: ExecutionRecord, **changes: Any) -> ExecutionRecord:
    return replace(header, updated_at=rt.clock(), **changes)
