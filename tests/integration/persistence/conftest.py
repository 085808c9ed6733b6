from __future__ import annotations

import uuid
from typing import Iterator

import pytest

from sirocco.persistence import ExecutionStore, PayloadStore, Settings, build_models, create_tables
from sirocco.persistence.definitions import DefinitionStore


@pytest.fixture(scope="session")
def settings(aws_endpoint: str) -> Settings:
    """Fresh table and bucket names, created once for the session."""
    suffix = uuid.uuid4().hex[:8]
    env = {"SIROCCO_EXECUTIONS_TABLE": f"executions-{suffix}", "SIROCCO_DEFINITIONS_TABLE": f"definitions-{suffix}",
           "SIROCCO_PAYLOAD_BUCKET": f"payloads-{suffix}"}
    import os

    s = Settings.from_env({**os.environ, **env})
    assert s.dynamodb_endpoint_url == aws_endpoint
    create_tables(build_models(s))
    PayloadStore(s).ensure_bucket()
    return s


@pytest.fixture(scope="session")
def models(settings: Settings):
    return build_models(settings)


@pytest.fixture(scope="session")
def payloads(settings: Settings) -> PayloadStore:
    return PayloadStore(settings)  # one S3 client: making one costs a few hundred ms


@pytest.fixture()
def store(settings: Settings, models, payloads: PayloadStore) -> Iterator[ExecutionStore]:
    yield ExecutionStore(settings, models, payloads)


@pytest.fixture()
def definitions(settings: Settings, models) -> DefinitionStore:
    return DefinitionStore(settings, models)


@pytest.fixture()
def eid() -> str:
    return str(uuid.uuid4())
