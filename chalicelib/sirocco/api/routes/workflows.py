"""Routes of ``/v2/workflows``."""

from __future__ import annotations

from chalice import Response

from sirocco.api import workflows
from sirocco.api.http import DEFINITION_TYPES, answer, base_url, blueprint, param, project, query, text
from sirocco.handlers.runtime import get_runtime


def _scope() -> str:
    return param("scope", "private") or "private"


@blueprint.route("/v2/workflows", methods=["POST"], content_types=DEFINITION_TYPES)
def create_workflows() -> Response:
    return answer(lambda: workflows.create(get_runtime(), text(), namespace=param("namespace"), scope=_scope(),
                                           project_id=project()))


@blueprint.route("/v2/workflows", methods=["PUT"], content_types=DEFINITION_TYPES)
def update_workflows() -> Response:
    return answer(lambda: workflows.update(get_runtime(), text(), namespace=param("namespace"), scope=_scope(),
                                           project_id=project()))


@blueprint.route("/v2/workflows", methods=["GET"])
def list_workflows() -> Response:
    return answer(lambda: workflows.list_all(get_runtime(), query(), base_url(), project_id=project()))


@blueprint.route("/v2/workflows/validate", methods=["POST"], content_types=DEFINITION_TYPES)
def validate_workflows() -> Response:
    return answer(lambda: workflows.validate(text()))


@blueprint.route("/v2/workflows/{identifier}", methods=["GET"])
def get_workflow(identifier: str) -> Response:
    return answer(lambda: workflows.get(get_runtime(), identifier, namespace=param("namespace"),
                                        fields=param("fields"), project_id=project()))


@blueprint.route("/v2/workflows/{identifier}", methods=["PUT"], content_types=DEFINITION_TYPES)
def update_workflow(identifier: str) -> Response:
    return answer(lambda: workflows.update(get_runtime(), text(), identifier=identifier,
                                           namespace=param("namespace"), scope=_scope(), project_id=project()))


@blueprint.route("/v2/workflows/{identifier}", methods=["DELETE"])
def delete_workflow(identifier: str) -> Response:
    return answer(lambda: workflows.delete(get_runtime(), identifier, namespace=param("namespace"),
                                           project_id=project()))
