"""Metering in the local runtime: DynamoDB item sizes read from the embedded emulator.

A DynamoDB write is billed by the larger of the item before and after it; the
emulator runs in this process, so the meter looks the stored item up in moto's
backend (no request, nothing billed) before and after the write.
"""

from __future__ import annotations

import logging
from typing import Any, Mapping

from sirocco.metering import meter, units

log = logging.getLogger("sirocco.dev")


def moto_sizes(account: str, region: str) -> Any:
    """``Stored`` (metering/requests.py) over moto's DynamoDB backend."""
    from moto.backends import get_backend
    from moto.dynamodb.models.dynamo_type import DynamoType

    backend = get_backend("dynamodb")[account][region]

    def stored(table_name: str, item: Mapping[str, Any]) -> int | None:
        try:
            table = backend.get_table(table_name)
            hash_name, range_name = table.hash_key_attr, table.range_key_attr
            hash_key = DynamoType(item[hash_name])
            range_key = DynamoType(item[range_name]) if range_name else None
            found = table.get_item(hash_key, range_key)
        except KeyError:
            return None
        except Exception:  # noqa: BLE001 - moto's internals moved: fall back on the request
            log.debug("metering: moto lookup failed", exc_info=True)
            return None
        if found is None:
            return 0
        return units.item_size(found.to_json()["Attributes"])

    return stored


def start(account: str, region: str, *, emulator: bool) -> None:
    """Meter this process's AWS requests (item sizes from the emulator when it is ours)."""
    meter.install(stored=moto_sizes(account, region) if emulator else None)


def stop() -> None:
    meter.uninstall()
