"""Routes of ``/v2/_ops`` (Sirocco's own operator resources, api/ops.py)."""

from __future__ import annotations

from chalice import Response

from sirocco.api import ops
from sirocco.api.http import JSON_TYPES, answer, blueprint, json_body, project, query
from sirocco.handlers.runtime import get_runtime


@blueprint.route("/v2/_ops/dead_letters", methods=["GET"])
def list_dead_letters() -> Response:
    return answer(lambda: ops.list_dead_letters(get_runtime(), query(), project_id=project()))


@blueprint.route("/v2/_ops/dead_letters", methods=["POST"], content_types=JSON_TYPES)
def redrive_dead_letters() -> Response:
    return answer(lambda: ops.redrive(get_runtime(), json_body(), project_id=project()))


@blueprint.route("/v2/_ops/sweep", methods=["POST"], content_types=JSON_TYPES)
def sweep_now() -> Response:
    return answer(lambda: ops.sweep(get_runtime(), project_id=project()))
