from __future__ import annotations

import os
import uuid
from typing import Iterator

import pytest

from sirocco.persistence import ExecutionStore, PayloadStore, Settings, build_models, create_tables
from sirocco.persistence.definitions import DefinitionStore

#: DynamoDB Local's endpoint, set by tools/dynamodb-local/run.py (``make test``'s second run):
#: DynamoDB goes there, S3 stays on moto.
DYNAMODB_URL_VARIABLE = "SIROCCO_TEST_DYNAMODB_URL"


def dynamodb_local_url() -> str | None:
    return os.environ.get(DYNAMODB_URL_VARIABLE) or None


def pytest_report_header() -> str:
    url = dynamodb_local_url()
    return f"persistence DynamoDB: {'DynamoDB Local at ' + url if url else 'moto'}"


@pytest.fixture(scope="session")
def settings(aws_endpoint: str) -> Settings:
    """Fresh table and bucket names, created once for the session."""
    suffix = uuid.uuid4().hex[:8]
    env = {"SIROCCO_EXECUTIONS_TABLE": f"executions-{suffix}", "SIROCCO_DEFINITIONS_TABLE": f"definitions-{suffix}",
           "SIROCCO_PAYLOAD_BUCKET": f"payloads-{suffix}"}
    dynamodb = dynamodb_local_url()
    if dynamodb:
        env["AWS_ENDPOINT_URL_DYNAMODB"] = dynamodb  # only these settings: other tests' clients stay on moto
    s = Settings.from_env({**os.environ, **env})
    assert s.dynamodb_endpoint_url == (dynamodb or aws_endpoint)
    assert s.s3_endpoint_url == aws_endpoint
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
