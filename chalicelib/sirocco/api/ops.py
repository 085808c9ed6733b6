"""Sirocco's operator resources (no Mistral counterpart), under ``/v2/_ops``:
the dead-letter queues (list with their causes, redrive) and a sweep on demand.

They see every project's messages and executions, so only callers acting for a
project of ``SIROCCO_OPS_PROJECTS`` (comma-separated; default: the default project,
which `sirocco dev` without ``--auth`` acts for) may use them: 403 otherwise.
"""

from __future__ import annotations

import os
from typing import Any, Mapping

from sirocco.handlers import sweeper
from sirocco.messaging import deadletters
from sirocco.persistence.settings import DEFAULT_PROJECT

from .errors import ApiError, bad_request

OPS_VARIABLE = "SIROCCO_OPS_PROJECTS"
MAX_LIMIT = 1000


def check_operator(project_id: str, env: Mapping[str, str] = os.environ) -> None:
    allowed = {p.strip() for p in (env.get(OPS_VARIABLE) or DEFAULT_PROJECT).split(",") if p.strip()}
    if project_id not in allowed:
        raise ApiError(403, f"Forbidden: /v2/_ops is for the operators' projects ({OPS_VARIABLE})")


def _sources(rt: Any, queues: Any) -> dict[str, str]:
    """Source queue -> DLQ for role names (engine, executor ...) or queue names; all by default."""
    roles = rt.queue_settings.queues()
    wanted = [q for q in ([queues] if isinstance(queues, str) else list(queues or [])) if q] or list(roles)
    unknown = [q for q in wanted if q not in roles and q not in roles.values()
               and not q.startswith(f"{rt.queue_settings.executor_queue}-")]
    if unknown:
        raise bad_request(f"Unknown queue {unknown[0]!r}; one of {', '.join(roles)} or a queue name")
    return deadletters.dead_letter_queues(rt.queues, [roles.get(q, q) for q in wanted])


def _limit(value: Any) -> int:
    try:
        limit = int(value if value not in (None, "") else 100)
    except (TypeError, ValueError):
        raise bad_request(f"limit must be a number, got {value!r}") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise bad_request(f"limit must be between 1 and {MAX_LIMIT}")
    return limit


def list_dead_letters(rt: Any, params: Mapping[str, str], *, project_id: str) -> tuple[int, dict[str, Any]]:
    """GET /v2/_ops/dead_letters?queue=engine&limit=100"""
    check_operator(project_id)
    sources = _sources(rt, params.get("queue"))
    letters = deadletters.listing(rt.queues, sources, limit=_limit(params.get("limit")))
    return 200, {"dead_letters": [d.as_dict() for d in letters], "queues": sources}


def redrive(rt: Any, body: Mapping[str, Any], *, project_id: str) -> tuple[int, dict[str, Any]]:
    """POST /v2/_ops/dead_letters ``{"queue": ..., "ids": [...]}``: send them back."""
    check_operator(project_id)
    ids = body.get("ids")
    if ids is not None and (not isinstance(ids, list) or not all(isinstance(i, str) for i in ids)):
        raise bad_request("ids must be a list of message ids")
    sources = _sources(rt, body.get("queue"))
    results = deadletters.redrive(rt.queues, sources, message_ids=ids, limit=_limit(body.get("limit")))
    return 200, {"redriven": [r.__dict__ for r in results]}


def sweep(rt: Any, *, project_id: str) -> tuple[int, dict[str, Any]]:
    """POST /v2/_ops/sweep: what the sweeper's schedule does, now."""
    check_operator(project_id)
    report = sweeper.sweep(rt)
    return 200, {"looked_at": report.looked_at, "quiet": report.quiet, "nudged": report.nudged}
