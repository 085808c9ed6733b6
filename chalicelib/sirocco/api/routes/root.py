"""Routes of ``/``, ``/v2`` and ``/info``."""

from __future__ import annotations

from chalice import Response

from sirocco.api import root
from sirocco.api.http import answer, base_url, blueprint


@blueprint.route("/", methods=["GET"])
def versions() -> Response:
    return answer(lambda: root.versions(base_url()))


@blueprint.route("/v2", methods=["GET"])
def v2_root() -> Response:
    return answer(lambda: root.v2(base_url()))


@blueprint.route("/info", methods=["GET"])
def info() -> Response:
    return answer(root.info)
