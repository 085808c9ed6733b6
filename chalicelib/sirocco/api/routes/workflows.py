"""Routes of ``/v2/workflows``."""

from __future__ import annotations

from chalice import Response

from sirocco.api import workflows
from sirocco.api.http import DEFINITION_TYPES, answer, blueprint, param, text
from sirocco.handlers.runtime import get_runtime


@blueprint.route("/v2/workflows", methods=["POST"], content_types=DEFINITION_TYPES)
def create_workflows() -> Response:
    return answer(lambda: workflows.create(get_runtime(), text(), namespace=param("namespace"),
                                           scope=param("scope", "private") or "private"))


@blueprint.route("/v2/workflows/{identifier}", methods=["GET"])
def get_workflow(identifier: str) -> Response:
    return answer(lambda: workflows.get(get_runtime(), identifier, namespace=param("namespace")))
