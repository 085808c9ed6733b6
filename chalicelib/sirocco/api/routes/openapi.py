"""Route of ``/v2/openapi.json``."""

from __future__ import annotations

from chalice import Response

from sirocco.api import openapi
from sirocco.api.http import answer, base_url, blueprint


@blueprint.route("/v2/openapi.json", methods=["GET"])
def openapi_document() -> Response:
    return answer(lambda: openapi.document(base_url()))
