"""Routes of ``/v2/workbooks``."""

from __future__ import annotations

from chalice import Response

from sirocco.api import workbooks
from sirocco.api.http import DEFINITION_TYPES, answer, base_url, blueprint, param, project, query, text
from sirocco.handlers.runtime import get_runtime


def _scope() -> str:
    return param("scope", "private") or "private"


@blueprint.route("/v2/workbooks", methods=["POST"], content_types=DEFINITION_TYPES)
def create_workbook() -> Response:
    return answer(lambda: workbooks.create(get_runtime(), text(), namespace=param("namespace"), scope=_scope(),
                                           project_id=project()))


@blueprint.route("/v2/workbooks", methods=["PUT"], content_types=DEFINITION_TYPES)
def update_workbook() -> Response:
    return answer(lambda: workbooks.update(get_runtime(), text(), namespace=param("namespace"), scope=_scope(),
                                           project_id=project()))


@blueprint.route("/v2/workbooks", methods=["GET"])
def list_workbooks() -> Response:
    return answer(lambda: workbooks.list_all(get_runtime(), query(), base_url(), project_id=project()))


@blueprint.route("/v2/workbooks/validate", methods=["POST"], content_types=DEFINITION_TYPES)
def validate_workbook() -> Response:
    return answer(lambda: workbooks.validate(text()))


@blueprint.route("/v2/workbooks/{name}", methods=["GET"])
def get_workbook(name: str) -> Response:
    return answer(lambda: workbooks.get(get_runtime(), name, namespace=param("namespace"), fields=param("fields"),
                                        project_id=project()))


@blueprint.route("/v2/workbooks/{name}", methods=["DELETE"])
def delete_workbook(name: str) -> Response:
    return answer(lambda: workbooks.delete(get_runtime(), name, namespace=param("namespace"), project_id=project()))
