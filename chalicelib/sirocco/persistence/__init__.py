"""Persistence: executions and definitions in DynamoDB (PynamoDB models), large
values in S3. An adapter: the engine never imports it; handlers join the two.
See docs/persistence.md."""

from .executions import (ConcurrentSaveError, ExecutionStore, IoStats, LazyRecords, LoadedExecution, Page,
                         state_records)
from .models import Models, build_models, create_tables
from .payloads import PayloadStore
from .settings import Settings

__all__ = [
    "ConcurrentSaveError", "ExecutionStore", "IoStats", "LazyRecords", "LoadedExecution", "Models", "Page",
    "PayloadStore", "Settings", "build_models", "create_tables", "state_records",
]
