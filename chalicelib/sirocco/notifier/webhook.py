"""The ``webhook`` publisher: an HTTP POST of the payload as JSON.

Options as Mistral's: ``url``, ``headers``; and ``timeout`` (seconds to read the
answer, default 10; connecting gets 3, as Mistral). The URL must pass std.http's
egress policy (``SIROCCO_HTTP_DENIED_CIDRS``, default loopback and link-local,
``SIROCCO_HTTP_ALLOWED_HOSTS``). Redirects are not followed. Any 2xx is delivered;
408, 429, 5xx, timeouts and connection errors are retried; other answers are not.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

import requests

from sirocco.actions.http_settings import HttpSettings, UrlNotAllowed

from .notification import Notification, PublishContext, PublishFailed

CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 10.0
MAX_TIMEOUT = 30.0
#: the part of a refusing answer's body kept as the cause
CAUSE_BYTES = 500
_RETRIED = {408, 425, 429}
#: header naming the notification, the same on every delivery of it (receivers may dedupe)
ID_HEADER = "X-Sirocco-Notification-Id"


def _timeout(options: Mapping[str, Any]) -> tuple[float, float]:
    given = options.get("timeout")
    try:
        read = float(given) if given is not None else READ_TIMEOUT
    except (TypeError, ValueError):
        read = READ_TIMEOUT
    return CONNECT_TIMEOUT, max(1.0, min(MAX_TIMEOUT, read))


def _headers(note: Notification, options: Mapping[str, Any]) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    if note.id:
        headers[ID_HEADER] = note.id
    given = options.get("headers")
    if isinstance(given, Mapping):
        headers.update({str(k): str(v) for k, v in given.items()})
    return headers


def _excerpt(response: requests.Response) -> str:
    try:
        raw = next(response.iter_content(CAUSE_BYTES), b"")
    except requests.RequestException:
        raw = b""
    return raw.decode("utf-8", "replace")


def publish(note: Notification, options: Mapping[str, Any], context: PublishContext) -> None:
    url = options.get("url")
    if not isinstance(url, str) or not url:
        raise PublishFailed("webhook publisher without a url", retry=False)
    try:
        HttpSettings.from_env().check_url(url)
    except UrlNotAllowed as exc:
        raise PublishFailed(f"{url}: {exc}", retry=False) from None
    try:
        response = requests.post(url, data=json.dumps(note.data, default=str), headers=_headers(note, options),
                                 timeout=_timeout(options), allow_redirects=False, stream=True)
    except requests.RequestException as exc:
        raise PublishFailed(f"POST {url}: {type(exc).__name__}: {exc}") from None
    with response:
        if 200 <= response.status_code < 300:
            return
        cause = f"POST {url}: HTTP {response.status_code}: {_excerpt(response)}".rstrip(": ")
    retry = response.status_code in _RETRIED or response.status_code >= 500
    raise PublishFailed(cause, retry=retry)
