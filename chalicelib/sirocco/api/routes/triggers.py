"""Routes of ``/v2/cron_triggers`` and ``/v2/event_triggers``."""

from __future__ import annotations

from chalice import Response

from sirocco.api import cron_triggers, event_triggers
from sirocco.api.http import JSON_TYPES, answer, base_url, blueprint, json_body, param, project, query
from sirocco.handlers.runtime import get_runtime


@blueprint.route("/v2/cron_triggers", methods=["POST"], content_types=JSON_TYPES)
def create_cron_trigger() -> Response:
    return answer(lambda: cron_triggers.create(get_runtime(), json_body(), project_id=project()))


@blueprint.route("/v2/cron_triggers", methods=["GET"])
def list_cron_triggers() -> Response:
    return answer(lambda: cron_triggers.list_all(get_runtime(), query(), base_url(), project_id=project()))


@blueprint.route("/v2/cron_triggers/{identifier}", methods=["GET"])
def get_cron_trigger(identifier: str) -> Response:
    return answer(lambda: cron_triggers.get(get_runtime(), identifier, fields=param("fields"),
                                            project_id=project()))


@blueprint.route("/v2/cron_triggers/{identifier}", methods=["DELETE"])
def delete_cron_trigger(identifier: str) -> Response:
    return answer(lambda: cron_triggers.delete(get_runtime(), identifier, project_id=project()))


@blueprint.route("/v2/event_triggers", methods=["POST"], content_types=JSON_TYPES)
def create_event_trigger() -> Response:
    return answer(lambda: event_triggers.create(get_runtime(), json_body(), project_id=project()))


@blueprint.route("/v2/event_triggers", methods=["GET"])
def list_event_triggers() -> Response:
    return answer(lambda: event_triggers.list_all(get_runtime(), query(), base_url(), project_id=project()))


@blueprint.route("/v2/event_triggers/{identifier}", methods=["GET"])
def get_event_trigger(identifier: str) -> Response:
    return answer(lambda: event_triggers.get(get_runtime(), identifier, fields=param("fields"),
                                            project_id=project()))


@blueprint.route("/v2/event_triggers/{identifier}", methods=["PUT"], content_types=JSON_TYPES)
def update_event_trigger(identifier: str) -> Response:
    return answer(lambda: event_triggers.update(get_runtime(), identifier, json_body(), project_id=project()))


@blueprint.route("/v2/event_triggers/{identifier}", methods=["DELETE"])
def delete_event_trigger(identifier: str) -> Response:
    return answer(lambda: event_triggers.delete(get_runtime(), identifier, project_id=project()))
