"""Limits and egress policy for std.http and std.mistral_http, read from the environment.

Mistral 23.0.0 guards std.http against server-side request forgery ([action_std_http]
options): only http and https, no host that resolves into a denied network (loopback and
link-local by default, which covers the cloud metadata service and, in Lambda, the runtime
API on 127.0.0.1; Sirocco adds the metadata service's IPv6 address and 0.0.0.0), an optional host allow-list, a default timeout and a response size cap.
Sirocco keeps the same defaults and reads them from environment variables so that the
Chalice config (or a shell, for ``sirocco run``) sets them:

- ``SIROCCO_HTTP_DENIED_CIDRS``: comma-separated networks; empty disables the address check
- ``SIROCCO_HTTP_ALLOWED_HOSTS``: comma-separated host names; empty allows any host
- ``SIROCCO_HTTP_DEFAULT_TIMEOUT``: seconds when the action gives none (0 = none), default 60
- ``SIROCCO_HTTP_MAX_RESPONSE_BYTES``: body size cap (0 = none), default 5 MiB
"""

from __future__ import annotations

import ipaddress
import os
import socket
from dataclasses import dataclass
from typing import Mapping
from urllib.parse import urlsplit

from .base import ActionError

#: loopback, link-local (IPv4's holds the EC2/ECS metadata services, 169.254.169.254 and
#: 169.254.170.2), "this host" (0.0.0.0 and :: connect to loopback on Linux) and the
#: EC2 metadata service's IPv6 address (fd00:ec2::254, outside fe80::/10)
DEFAULT_DENIED_CIDRS: tuple[str, ...] = ("127.0.0.0/8", "::1/128", "169.254.0.0/16", "fe80::/10",
                                         "0.0.0.0/8", "::/128", "fd00:ec2::254/128")
DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_RESPONSE_BYTES = 5 * 1024 * 1024

_ENV_DENIED = "SIROCCO_HTTP_DENIED_CIDRS"
_ENV_ALLOWED = "SIROCCO_HTTP_ALLOWED_HOSTS"
_ENV_TIMEOUT = "SIROCCO_HTTP_DEFAULT_TIMEOUT"
_ENV_MAX_BYTES = "SIROCCO_HTTP_MAX_RESPONSE_BYTES"


class UrlNotAllowed(ActionError):
    """The URL is outside the egress policy."""


@dataclass(frozen=True)
class HttpSettings:
    """``default_timeout`` and ``max_response_bytes`` of ``None`` mean unbounded."""

    denied_cidrs: tuple[str, ...] = DEFAULT_DENIED_CIDRS
    allowed_hosts: tuple[str, ...] = ()
    default_timeout: float | None = DEFAULT_TIMEOUT
    max_response_bytes: int | None = DEFAULT_MAX_RESPONSE_BYTES

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> HttpSettings:
        env = os.environ if environ is None else environ
        denied = _csv(env[_ENV_DENIED]) if _ENV_DENIED in env else DEFAULT_DENIED_CIDRS
        timeout = float(env.get(_ENV_TIMEOUT, DEFAULT_TIMEOUT))
        max_bytes = int(env.get(_ENV_MAX_BYTES, DEFAULT_MAX_RESPONSE_BYTES))
        return cls(
            denied_cidrs=denied,
            allowed_hosts=_csv(env.get(_ENV_ALLOWED, "")),
            default_timeout=timeout if timeout > 0 else None,
            max_response_bytes=max_bytes if max_bytes > 0 else None,
        )

    def check_url(self, url: str) -> None:
        """Raise ``UrlNotAllowed`` unless ``url`` may be fetched (messages as Mistral's).

        A host that does not resolve passes: the request then fails to connect anyway. There
        is a window between this check and the connection (DNS rebinding); deployments that
        need more isolate the executor's network as well.
        """
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise UrlNotAllowed(f"URL scheme '{parts.scheme}' is not allowed (only http and https are).")
        host = parts.hostname
        if not host:
            raise UrlNotAllowed("URL does not contain a host.")
        if self.allowed_hosts and host not in self.allowed_hosts:
            raise UrlNotAllowed(f"Host '{host}' is not in the allowed hosts ({_ENV_ALLOWED}).")
        networks = _networks(self.denied_cidrs)
        if not networks:
            return
        try:
            port = parts.port
        except ValueError:
            raise UrlNotAllowed(f"URL has an invalid port: {url}") from None
        try:
            infos = socket.getaddrinfo(host, port)
        except (socket.gaierror, UnicodeError):
            return
        for info in infos:
            address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
            mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:169.254.169.254 is 169.254.169.254
            if any(a in network for network in networks for a in (address, mapped) if a is not None):
                raise UrlNotAllowed(f"URL host '{host}' resolves to a blocked address ({address}).")


def _csv(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _networks(cidrs: tuple[str, ...]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    networks = []
    for cidr in cidrs:
        try:
            networks.append(ipaddress.ip_network(cidr, strict=False))
        except ValueError:
            continue  # an invalid entry is ignored, as Mistral does (it logs a warning)
    return networks
