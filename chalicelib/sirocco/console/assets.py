"""The console's static files, shipped in ``static/`` (package data for pip,
part of ``chalicelib/`` for Lambda): looked up by name, never by a path the
request builds, so nothing outside ``static/`` can be served."""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

STATIC = Path(__file__).with_name("static")
#: one path segment: letters, digits, dot, dash, underscore, not starting with a dot
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".txt": "text/plain; charset=utf-8"}
#: the page runs only its own scripts and styles and talks only to its own origin
POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


@dataclass(frozen=True)
class Asset:
    text: str
    content_type: str
    etag: str

    def headers(self) -> dict[str, str]:
        # no-cache: revalidated on every load (ETag), so a new release is never mixed with an old one
        return {"Content-Type": self.content_type, "Cache-Control": "no-cache", "ETag": self.etag,
                "X-Content-Type-Options": "nosniff", "Content-Security-Policy": POLICY,
                "Referrer-Policy": "no-referrer"}


@functools.lru_cache(maxsize=64)
def asset(*parts: str) -> Asset | None:
    """The file ``static/<parts...>``, or None if there is none of that name."""
    if not parts or not all(NAME.match(part) for part in parts):
        return None
    path = STATIC.joinpath(*parts)
    content_type = TYPES.get(path.suffix)
    if content_type is None or not path.is_file():
        return None
    data = path.read_bytes()
    return Asset(data.decode("utf-8"), content_type, '"' + hashlib.sha256(data).hexdigest()[:32] + '"')
