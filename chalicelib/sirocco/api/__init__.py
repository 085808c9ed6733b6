"""Mistral's REST API v2, in Mistral's wire format (issue 5 completes it).

Resource functions (``workflows``, ``executions``) take plain values and
return ``(status, body)`` or raise ``ApiError``; ``routes`` binds them to a
Chalice blueprint that app.py registers. See docs/shell.md."""

from .errors import ApiError

__all__ = ["ApiError"]
