"""Values too large for a DynamoDB item, kept in S3.

Objects are content-addressed (``executions/<execution id>/<sha256>``): writing
the same value twice (a replayed save, a result shared by an action and its
task) writes the same object, and two writers racing for the same version can
never overwrite each other's objects. Objects are immutable, so a reader never
sees half of one. Old objects are left for the bucket's lifecycle rule.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from typing import Any, Callable

import boto3
from botocore.config import Config

from .settings import Settings

#: a field larger than this goes to S3 even when its item has room: DynamoDB bills a write by
#: the whole item, before and after, so a growing field (a join's arrivals, the header's
#: last run of each of 10,000 task names) made every save cost more; in S3 an unchanged
#: field costs nothing to carry and a changed one one PUT, whatever its size
FIELD_INLINE_MAX = 16 * 1024
RECENT_SECONDS = 3600.0
RECENT_MAX = 10_000


def s3_client(settings: Settings) -> Any:
    """An S3 client for the settings' region and endpoint (path-style addressing,
    which every emulator understands)."""
    return boto3.session.Session().client(
        "s3", region_name=settings.region, endpoint_url=settings.s3_endpoint_url,
        config=Config(s3={"addressing_style": "path"}, retries={"mode": "standard"}))


class PayloadStore:
    """Put and get immutable blobs in the payload bucket."""

    def __init__(self, settings: Settings, client: Any | None = None) -> None:
        self.bucket = settings.payload_bucket
        self.client = client or s3_client(settings)
        self.puts = 0
        self.gets = 0
        #: key -> when this process last wrote it (rewritten after RECENT_SECONDS, so that an
        #: object a long execution still points at is renewed before a lifecycle rule expires it)
        self._recent: OrderedDict[str, float] = OrderedDict()

    def put(self, prefix: str, data: bytes) -> str:
        key = f"{prefix}/{hashlib.sha256(data).hexdigest()}"
        now = time.monotonic()
        if now - self._recent.get(key, -RECENT_SECONDS) < RECENT_SECONDS:
            return key  # this process wrote these bytes lately: a field a save carries unchanged
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data)
        self.puts += 1
        self._recent[key] = now
        self._recent.move_to_end(key)
        while len(self._recent) > RECENT_MAX:
            self._recent.popitem(last=False)
        return key

    def get(self, key: str) -> bytes:
        self.gets += 1
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def ensure_bucket(self) -> None:
        """Create the bucket if missing (emulator and tests; the template makes it in AWS)."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except self.client.exceptions.ClientError:
            self.client.create_bucket(Bucket=self.bucket)


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8")) if not text.isascii() else len(text)


def fit_fields(fields: dict[str, str], budget: int, offload: Callable[[str], str]) -> tuple[dict[str, str], dict[str, str]]:
    """Split per-field JSON texts into (inline, offloaded) so the inline part fits
    ``budget`` bytes and no inline field is over ``FIELD_INLINE_MAX``: the largest fields
    go to S3 first (``offload`` stores one text and returns its key). Most records fit and
    nothing is offloaded."""
    sizes = {name: len(name) + utf8_len(text) + 2 for name, text in fields.items()}
    total = sum(sizes.values())
    if total <= budget and max(sizes.values(), default=0) <= FIELD_INLINE_MAX:
        return fields, {}
    inline = dict(fields)
    offloaded: dict[str, str] = {}
    for name in sorted(sizes, key=sizes.__getitem__, reverse=True):
        if total <= budget and sizes[name] <= FIELD_INLINE_MAX:
            break
        offloaded[name] = offload(inline.pop(name))
        total -= sizes[name] - (len(name) + 80)  # a key stays behind in the ``s3`` attribute
    return inline, offloaded
