"""Routes of ``/v2/actions``. python-mistralclient puts an action's namespace
in the path (``/v2/actions/<name>/<namespace>``); ``?namespace=`` works too."""

from __future__ import annotations

from chalice import Response

from sirocco.api import actions
from sirocco.api.http import DEFINITION_TYPES, answer, base_url, blueprint, param, project, query, text
from sirocco.handlers.runtime import get_runtime


def _scope() -> str:
    return param("scope", "private") or "private"


@blueprint.route("/v2/actions", methods=["POST"], content_types=DEFINITION_TYPES)
def create_actions() -> Response:
    return answer(lambda: actions.create(get_runtime(), text(), namespace=param("namespace"), scope=_scope(),
                                         project_id=project()))


@blueprint.route("/v2/actions", methods=["PUT"], content_types=DEFINITION_TYPES)
def update_actions() -> Response:
    return answer(lambda: actions.update(get_runtime(), text(), namespace=param("namespace"), scope=_scope(),
                                         project_id=project()))


@blueprint.route("/v2/actions", methods=["GET"])
def list_actions() -> Response:
    return answer(lambda: actions.list_all(get_runtime(), query(), base_url(), project_id=project()))


@blueprint.route("/v2/actions/validate", methods=["POST"], content_types=DEFINITION_TYPES)
def validate_actions() -> Response:
    return answer(lambda: actions.validate(text()))


@blueprint.route("/v2/actions/{identifier}", methods=["GET"])
def get_action(identifier: str) -> Response:
    return answer(lambda: actions.get(get_runtime(), identifier, namespace=param("namespace"), project_id=project()))


@blueprint.route("/v2/actions/{identifier}/{namespace}", methods=["GET"])
def get_action_in(identifier: str, namespace: str) -> Response:
    return answer(lambda: actions.get(get_runtime(), identifier, namespace=namespace, project_id=project()))


@blueprint.route("/v2/actions/{identifier}", methods=["PUT"], content_types=DEFINITION_TYPES)
def update_action(identifier: str) -> Response:
    return answer(lambda: actions.update(get_runtime(), text(), identifier=identifier,
                                         namespace=param("namespace"), scope=_scope(), project_id=project()))


@blueprint.route("/v2/actions/{identifier}", methods=["DELETE"])
def delete_action(identifier: str) -> Response:
    return answer(lambda: actions.delete(get_runtime(), identifier, namespace=param("namespace"), project_id=project()))


@blueprint.route("/v2/actions/{identifier}/{namespace}", methods=["DELETE"])
def delete_action_in(identifier: str, namespace: str) -> Response:
    return answer(lambda: actions.delete(get_runtime(), identifier, namespace=namespace, project_id=project()))
