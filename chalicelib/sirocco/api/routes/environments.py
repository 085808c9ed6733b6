"""Routes of ``/v2/environments``."""

from __future__ import annotations

from chalice import Response

from sirocco.api import environments
from sirocco.api.http import JSON_TYPES, answer, base_url, blueprint, json_body, param, project, query
from sirocco.handlers.runtime import get_runtime


@blueprint.route("/v2/environments", methods=["POST"], content_types=JSON_TYPES)
def create_environment() -> Response:
    return answer(lambda: environments.create(get_runtime(), json_body(), project_id=project()))


@blueprint.route("/v2/environments", methods=["PUT"], content_types=JSON_TYPES)
def update_environment() -> Response:
    return answer(lambda: environments.update(get_runtime(), json_body(), project_id=project()))


@blueprint.route("/v2/environments", methods=["GET"])
def list_environments() -> Response:
    return answer(lambda: environments.list_all(get_runtime(), query(), base_url(), project_id=project()))


@blueprint.route("/v2/environments/{name}", methods=["GET"])
def get_environment(name: str) -> Response:
    return answer(lambda: environments.get(get_runtime(), name, fields=param("fields"), project_id=project()))


@blueprint.route("/v2/environments/{name}", methods=["DELETE"])
def delete_environment(name: str) -> Response:
    return answer(lambda: environments.delete(get_runtime(), name, project_id=project()))
