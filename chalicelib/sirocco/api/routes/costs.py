"""Route of ``/v2/executions/{id}/cost`` (Sirocco's extension), and the middleware that
meters the API's own requests (metering/invocations.py)."""

from __future__ import annotations

from typing import Any, Callable

from chalice import Response

from sirocco.api import costs
from sirocco.api.http import answer, blueprint
from sirocco.metering import invocations

from .executions import _owned


@blueprint.middleware("http")
def metered_request(event: Any, get_response: Callable[[Any], Response]) -> Response:
    """Each API request as API Gateway and Lambda bill it, charged to the execution it is for."""
    return invocations.api_request(event, get_response)


@blueprint.route("/v2/executions/{execution_id}/cost", methods=["GET"])
def get_execution_cost(execution_id: str) -> Response:
    return answer(lambda: costs.cost(_owned(execution_id), execution_id))
