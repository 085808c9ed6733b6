"""Claims: the executor's record that an action run was started, so an action that is
not ``safe-rerun`` runs at most once whatever SQS delivers.

``CLAIM#<action id>`` in the execution's partition is put with a condition (it must
not exist) before the action runs, naming the message that carried the run and its
receive count. A second delivery then finds the claim (``claim`` returns it) and
the executor can tell a copy (another message, or the same one received no later:
its claimer answers) from a redelivery after the claimer stopped (the same message
received again: the action may have had effects, so it is not run again). A put
whose answer was lost and that botocore retried finds its own claim (same
``token``) and goes on. Claims expire with the messages they guard (SQS keeps a
message at most 14 days).
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import PutError

PREFIX = "CLAIM#"
#: seconds a claim is kept: SQS's longest retention and a day
CLAIM_SECONDS = 15 * 86400


@dataclass(frozen=True, slots=True)
class Claim:
    token: str  # the claiming attempt's own id
    message_id: str
    receives: int
    at: float


def claim(store: Any, execution_id: str, action_id: str, *, token: str, message_id: str, receives: int,
          now: float) -> Claim | None:
    """Claim the run ``action_id``: None if this attempt holds it now, else the claim
    another attempt made first."""
    I = store.Item
    body = json.dumps({"token": token, "message_id": message_id, "receives": receives, "at": now})
    expires = datetime.datetime.fromtimestamp(int(now) + CLAIM_SECONDS, datetime.timezone.utc)
    try:
        I(execution_id, f"{PREFIX}{action_id}", body=body, expires_at=expires).save(condition=I.pk.does_not_exist())
        store.stats.count("PutItem", written=1)
        return None
    except PutError as exc:
        store.stats.count("PutItem")
        if getattr(exc, "cause_response_code", None) != "ConditionalCheckFailedException":
            raise
    try:
        row = I.get(execution_id, f"{PREFIX}{action_id}", consistent_read=True)
    except I.DoesNotExist:  # gone since (the execution was deleted): nothing to guard
        return None
    store.stats.count("GetItem", read=1)
    data = json.loads(row.body or "{}")
    found = Claim(str(data.get("token", "")), str(data.get("message_id", "")), int(data.get("receives") or 1),
                  float(data.get("at") or 0))
    return None if found.token == token else found
