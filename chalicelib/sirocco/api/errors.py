"""Errors in Mistral's JSON shape.

Mistral answers errors raised by its REST controllers (wsme) with
``{"faultcode": "Client", "faultstring": "...", "debuginfo": null}`` (404 of an
unknown execution, 400 of a refused start) and errors of definition uploads
(pecan) with ``{"faultstring": "..."}`` alone; both are copied.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    def __init__(self, status: int, faultstring: str, *, short: bool = False) -> None:
        super().__init__(faultstring)
        self.status = status
        self.faultstring = faultstring
        self.short = short  # {"faultstring"} alone, as Mistral's definition uploads answer

    def body(self) -> dict[str, Any]:
        if self.short:
            return {"faultstring": self.faultstring}
        return {"faultcode": "Client" if self.status < 500 else "Server", "faultstring": self.faultstring,
                "debuginfo": None}


def bad_request(text: str, *, short: bool = False) -> ApiError:
    return ApiError(400, text, short=short)


def not_found(text: str) -> ApiError:
    return ApiError(404, text)


def conflict(text: str, *, short: bool = False) -> ApiError:
    return ApiError(409, text, short=short)
