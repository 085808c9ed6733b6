"""Where the persistence layer's tables and bucket are, read from the standard
AWS configuration and from ``SIROCCO_*`` variables.

The same code talks to AWS, LocalStack or the embedded emulator: only the
environment differs. Nothing is read at import time; ``Settings.from_env()`` is
called by whoever builds the stores (a handler at cold start, a test fixture),
so tests and ``sirocco dev`` can point one process at fresh resources.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping

#: Mistral's project id when authentication is off
DEFAULT_PROJECT = "<default-project>"
#: DynamoDB refuses items above 400 KB (attribute names and values counted).
DYNAMODB_ITEM_LIMIT = 400 * 1024
#: What an item may hold before its largest values go to S3: the limit less a margin
#: for attribute names, keys, index attributes and our own size estimate's error.
DEFAULT_ITEM_BUDGET = 350 * 1024


@dataclass(frozen=True, slots=True)
class Settings:
    """Names and endpoints of the persistence resources.

    ``endpoint_url`` None means "let botocore decide", which honours
    ``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_DYNAMODB`` / ``AWS_ENDPOINT_URL_S3``
    and otherwise talks to AWS.
    """

    region: str = "us-east-1"
    executions_table: str = "sirocco-executions"
    definitions_table: str = "sirocco-definitions"
    payload_bucket: str = "sirocco-payloads"
    dynamodb_endpoint_url: str | None = None
    s3_endpoint_url: str | None = None
    item_budget: int = DEFAULT_ITEM_BUDGET
    #: seconds a finished execution is kept before DynamoDB's TTL removes it; 0 keeps it
    execution_retention: int = 0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        common = env.get("AWS_ENDPOINT_URL") or None
        defaults = cls()  # (a slotted dataclass has no class-level defaults to read)
        return cls(
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or defaults.region,
            executions_table=env.get("SIROCCO_EXECUTIONS_TABLE") or defaults.executions_table,
            definitions_table=env.get("SIROCCO_DEFINITIONS_TABLE") or defaults.definitions_table,
            payload_bucket=env.get("SIROCCO_PAYLOAD_BUCKET") or defaults.payload_bucket,
            dynamodb_endpoint_url=env.get("AWS_ENDPOINT_URL_DYNAMODB") or common,
            s3_endpoint_url=env.get("AWS_ENDPOINT_URL_S3") or common,
            item_budget=int(env.get("SIROCCO_ITEM_BUDGET") or DEFAULT_ITEM_BUDGET),
            execution_retention=int(env.get("SIROCCO_EXECUTION_RETENTION") or 0),
        )
