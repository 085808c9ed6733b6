"""Key and index values that DynamoDB accepts, whatever names users choose.

DynamoDB refuses a write whose table key or index key is an empty string, a
partition key over 2048 bytes or a sort key over 1024 bytes (moto accepts some
of these; DynamoDB Local and AWS refuse them all). User text (project ids,
workflow names, namespaces) ends up in such keys, so it goes through
``fitted`` (or ``index_value``): unchanged when it fits, else a readable prefix and the SHA-256 of
the whole text, which is as unique as the text and always fits. Lookups apply
the same function to what they look for, so they find what was written.
"""

from __future__ import annotations

import hashlib

HASH_KEY_MAX = 2048  # bytes, partition keys of tables and indexes
RANGE_KEY_MAX = 1024  # bytes, sort keys of tables and indexes
DIGEST_MARK = "~"
_DIGEST_LEN = len(DIGEST_MARK) + 64


def _prefix(text: str, size: int) -> str:
    """The longest prefix of ``text`` of at most ``size`` UTF-8 bytes."""
    return text.encode("utf-8")[:max(size, 0)].decode("utf-8", errors="ignore")


def _digest_form(text: str, limit: int) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return f"{_prefix(text, min(limit - _DIGEST_LEN, 64))}{DIGEST_MARK}{digest}"


def fitted(text: str, limit: int) -> str:
    """``text`` if it is at most ``limit`` bytes of UTF-8, else ``<prefix>~<sha256 of text>``,
    at most ``limit`` bytes (``limit`` must leave room for the 65-byte digest)."""
    return text if len(text.encode("utf-8")) <= limit else _digest_form(text, limit)


def index_value(text: str, limit: int) -> str:
    """``fitted``, and never empty: an index key cannot be ``""`` (the digest of ``""`` stands for it)."""
    return fitted(text, limit) if text else _digest_form(text, limit)
