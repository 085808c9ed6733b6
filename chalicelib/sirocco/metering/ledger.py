"""The process's record of what each execution used (thread-safe, in memory, the
``KEPT`` executions charged last).

A request made for several executions at once (a batch of messages of several
executions, one Lambda invocation over their records) is split evenly between
them. What was made for no execution goes to ``UNATTRIBUTED`` (the sweeper, a
cron trigger firing before its execution exists...), and what the API spent
answering reads (GET) to ``READS``: neither is hidden, neither is a run's cost.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Sequence

from .usage import Usage

UNATTRIBUTED = "(unattributed)"
READS = "(api requests of no run)"


#: executions a ledger keeps (the least recently charged go first: their reports say unmetered)
KEPT = 10_000


class Ledger:
    def __init__(self, kept: int = KEPT) -> None:
        self._lock = threading.Lock()
        self._usage: OrderedDict[str, Usage] = OrderedDict()
        self._kept = kept

    def charge(self, owners: Sequence[str], usage: Usage) -> None:
        """Add ``usage`` shared evenly by ``owners`` (none: unattributed)."""
        if not usage:
            return
        owners = list(dict.fromkeys(owners)) or [UNATTRIBUTED]
        share = usage if len(owners) == 1 else usage.scaled(1.0 / len(owners))
        with self._lock:
            for owner in owners:
                self._usage[owner] = self._usage.get(owner, Usage()) + share
                self._usage.move_to_end(owner)
            while len(self._usage) > self._kept:
                self._usage.popitem(last=False)

    def usage(self, owner: str) -> Usage | None:
        """What ``owner`` used; None when this process metered nothing for it."""
        with self._lock:
            return self._usage.get(owner)

    def owners(self) -> list[str]:
        with self._lock:
            return list(self._usage)

    def clear(self) -> None:
        with self._lock:
            self._usage.clear()


#: the ledger of this process
LEDGER = Ledger()
