"""std.http and std.mistral_http: real HTTP requests with Mistral 23.0.0's inputs and results.

Built on ``requests`` because Mistral's std.http is a thin layer over ``requests.request``:
its parameters (params, cookies, auth, proxies, verify, allow_redirects) and result fields
(encoding, reason, cookies, elapsed) are requests' own semantics, which urllib would have to
re-create piece by piece. The result is
``{content, status, headers, url, history, encoding, reason, cookies, elapsed}``; a status
outside 200..306 makes it the *error* result, so on-error can read the status.

Beyond Mistral (deliberately): the body is read in chunks and capped while it streams (Mistral
only trusts Content-Length), redirect targets are checked against the egress policy too, the
context's deadline bounds the timeout and the body read, ``auth`` may be a ``[user, password]`` list,
and ``history`` lists ``{status, url}`` of each redirect.
"""

from __future__ import annotations

import json as _json
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

import requests

from .base import Action, ActionContext, ActionError, ActionTimeout, Result, seconds_text
from .http_settings import HttpSettings

_CHUNK = 64 * 1024


class Http(Action):
    """HTTP action.

    :param url: URL for the new HTTP request.
    :param method: (optional, 'GET' by default) method for the new HTTP request.
    :param params: (optional) Dictionary or bytes to be sent in the query string.
    :param body: (optional) Text, or a dictionary sent as JSON text, in the request body.
    :param json: (optional) A JSON value sent as the body, with Content-Type application/json.
    :param headers: (optional) Dictionary of HTTP headers; numbers are sent as text.
    :param cookies: (optional) Dictionary of cookies to send.
    :param auth: (optional) 'user:password' or [user, password] for HTTP Basic auth.
    :param timeout: (optional) Seconds (or [connect, read]) to wait for the server;
        60 when not given.
    :param allow_redirects: (optional) Boolean. Follow redirects (not followed by default).
    :param proxies: (optional) Dictionary mapping protocol to the URL of the proxy.
    :param verify: (optional) For https: false to skip certificate checks, or a CA bundle path.
    """

    settings: ClassVar[HttpSettings | None] = None  # None: read the environment on each run

    def __init__(
        self,
        url: str,
        method: str = "GET",
        params: Any = None,
        body: Any = None,
        json: Any = None,
        headers: dict[str, Any] | None = None,
        cookies: dict[str, str] | None = None,
        auth: Any = None,
        timeout: Any = None,
        allow_redirects: bool | None = None,
        proxies: dict[str, str] | None = None,
        verify: Any = None,
    ) -> None:
        if body and json:
            raise ActionError("Only one of the parameters 'json' and 'body' can be passed")
        self.url = url
        self.method = method
        self.params = params
        self.body = _json.dumps(body) if isinstance(body, (dict, list)) else body
        self.json = json
        self.headers = {k: str(v) if isinstance(v, (int, float)) else v for k, v in headers.items()} if isinstance(headers, dict) else headers
        self.cookies = cookies
        self.auth = auth
        self.timeout = timeout
        self.allow_redirects = allow_redirects
        self.proxies = proxies
        self.verify = verify

    @classmethod
    def with_settings(cls, settings: HttpSettings) -> type[Http]:
        """This action with fixed settings instead of the environment's (for a custom registry)."""
        return type(cls.__name__, (cls,), {"settings": settings, "__doc__": cls.__doc__, "__module__": cls.__module__})

    def extra_headers(self, ctx: ActionContext) -> dict[str, str]:
        return {}

    def run(self, ctx: ActionContext) -> Any:
        settings = self.settings or HttpSettings.from_env()
        if not isinstance(self.url, str):
            raise ActionError(f"url must be a string, got {type(self.url).__name__}")
        settings.check_url(self.url)
        headers = dict(self.headers or {})
        headers.update({k: v for k, v in self.extra_headers(ctx).items() if v is not None})
        body = self.body.encode("utf-8") if isinstance(self.body, str) else self.body
        https = urlsplit(self.url).scheme == "https"
        try:
            with _Session(settings) as session:
                resp = session.request(
                    self.method,
                    self.url,
                    params=self.params,
                    data=body,
                    json=self.json,
                    headers=headers or None,
                    cookies=self.cookies,
                    auth=_auth(self.auth),
                    timeout=_timeout(self.timeout, settings, ctx),
                    allow_redirects=bool(self.allow_redirects),
                    proxies=self.proxies,
                    verify=self.verify if https and self.verify is not None else True,
                    stream=True,
                )
                with resp:
                    raw = _read_body(resp, settings.max_response_bytes, ctx)
        except ActionError:
            raise
        except Exception as e:
            raise ActionError(f"Failed to send HTTP request: {e}") from e
        result = _result(resp, raw)
        if not 200 <= resp.status_code < 307:
            return Result(error=result)
        return result


class MistralHttp(Http):
    """HTTP action that tells the receiver how to complete it later.

    Same input as std.http, plus the headers Mistral-Workflow-Name,
    Mistral-Workflow-Execution-Id, Mistral-Task-Id, Mistral-Action-Execution-Id and
    Mistral-Callback-URL. Asynchronous: a 2xx answer leaves the action RUNNING until the
    receiver sends its result to the callback URL; any other status fails it.
    """

    is_sync = False

    def extra_headers(self, ctx: ActionContext) -> dict[str, str]:
        return {
            "Mistral-Workflow-Name": ctx.workflow_name,
            "Mistral-Workflow-Execution-Id": ctx.workflow_execution_id,
            "Mistral-Task-Id": ctx.task_execution_id,
            "Mistral-Action-Execution-Id": ctx.action_execution_id,
            "Mistral-Callback-URL": ctx.callback_url,
        }


class _Session(requests.Session):
    """A session that checks each redirect target against the egress policy before following."""

    def __init__(self, settings: HttpSettings) -> None:
        super().__init__()
        self._settings = settings

    def get_redirect_target(self, resp: requests.Response) -> str | None:
        target = super().get_redirect_target(resp)
        if target:
            self._settings.check_url(urljoin(resp.url, target))
        return target


def _auth(auth: Any) -> Any:
    if auth is None or auth == "":
        return None
    if isinstance(auth, str) and auth.count(":") == 1:
        return tuple(auth.split(":"))
    if isinstance(auth, (list, tuple)) and len(auth) == 2 and all(isinstance(a, str) for a in auth):
        return tuple(auth)
    raise ActionError("auth must be 'user:password' or [user, password]")


def _timeout(value: Any, settings: HttpSettings, ctx: ActionContext) -> Any:
    """requests' timeout from the input, the default and the context's deadline."""
    if value is None:
        value = settings.default_timeout
    try:
        if isinstance(value, (list, tuple)) and len(value) == 2:
            connect, read = (None if v is None else float(v) for v in value)
            return (ctx.bound(connect), ctx.bound(read))
        return ctx.bound(None if value is None else float(value))
    except (TypeError, ValueError):
        raise ActionError(f"timeout must be a number of seconds or [connect, read], got {value!r}") from None


def _read_body(resp: requests.Response, limit: int | None, ctx: ActionContext) -> bytes:
    """The body, refused past ``limit`` bytes, whether or not Content-Length announced it."""
    declared = resp.headers.get("Content-Length")
    if limit and declared and declared.isdigit() and int(declared) > limit:
        raise ActionError(f"HTTP response is too large (Content-Length={declared}, limit={limit} bytes).")
    chunks, size = [], 0
    for chunk in resp.iter_content(_CHUNK):
        size += len(chunk)
        if limit and size > limit:
            raise ActionError(f"HTTP response is too large (more than {limit} bytes).")
        chunks.append(chunk)
        if ctx.expired():
            raise ActionTimeout(f"Timeout after {seconds_text(ctx.timeout)} seconds")
    return b"".join(chunks)


def _result(resp: requests.Response, raw: bytes) -> dict[str, Any]:
    resp._content = raw  # hand the streamed body back so requests decodes it as usual
    resp._content_consumed = True
    try:
        content: Any = resp.json()
    except ValueError:
        content = _text(raw, resp.encoding)
    return {
        "content": content,
        "status": resp.status_code,
        "headers": dict(resp.headers.items()),
        "url": resp.url,
        "history": [{"status": r.status_code, "url": r.url} for r in resp.history],
        "encoding": resp.encoding,
        "reason": resp.reason,
        "cookies": dict(resp.cookies.items()),
        "elapsed": resp.elapsed.total_seconds(),  # until the headers arrived, as Mistral
    }


def _text(raw: bytes, encoding: str | None) -> str:
    try:
        return raw.decode(encoding or "utf-8", errors="replace")
    except LookupError:
        return raw.decode("utf-8", errors="replace")
