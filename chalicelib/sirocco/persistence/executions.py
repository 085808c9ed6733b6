"""The state of workflow executions in DynamoDB: load, save (a transactional
outbox through a redo log), the outbox, and the API's look-ups.

One partition per execution. A save is three steps (docs/persistence.md):

1. **commit**: one conditional UpdateItem of the header (``EXEC``) writes the new
   header record, version ``v + 1`` and the redo log (the other changed records,
   already in item form, and the commands) — inline, or in S3 when large. The
   condition ``v = expected`` makes a concurrent writer lose
   (``ConcurrentSaveError``). After this call the batch is durable.
2. **materialise**: the log's items are written with BatchWriteItem (25 a call).
   Plain puts of final values: replaying them is harmless.
3. **done**: the ``DONE`` item records the last version whose log is complete
   (materialised and commands sent). ``save`` writes it itself when there are no
   commands; otherwise the handler calls ``mark_sent`` after sending.

``load`` (or ``pending_outbox``) finds a log newer than ``DONE`` and completes
it: re-writes the log items that the partition does not hold at that version
and hands back the commands to send again.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import time
import zlib
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

from pynamodb.exceptions import DeleteError, PutError, UpdateError

from sirocco.engine import states
from sirocco.engine.records import ActionRecord, ExecutionRecord, ExecutionState, ItemsRecord, Record, TaskRecord

from . import records_codec as codec
from .items_cache import ItemsCache
from .keys import HASH_KEY_MAX, RANGE_KEY_MAX, index_value
from .models import Models, build_models
from .payloads import PayloadStore, fit_fields, utf8_len
from .settings import DEFAULT_PROJECT, Settings

HEADER = "EXEC"
DONE = "DONE"
BATCH_WRITE_MAX = 25  # DynamoDB's BatchWriteItem limit
BATCH_GET_MAX = 100  # DynamoDB's BatchGetItem limit
#: an ITEMS record's fields stay in its item up to this size, else go to S3 (items_cache.py):
#: every batch that launches items reads the item, which then costs one read unit
ITEMS_INLINE_MAX = 1024
#: a lazy map that misses this many keys one by one loads its whole kind with one Query
LAZY_MISSES_BEFORE_QUERY = 8
#: how long a deleted execution's tombstone stays (events still queued for it find it)
TOMBSTONE_SECONDS = 86400
#: seconds an API write of a header waits for the engine to mark its last save sent
AMEND_WAIT = 1.0
#: list indexes: the index attribute of the model, by the name the API uses
LIST_INDEXES = {"workflow": "by_workflow", "workflow_id": "by_workflow_id", "state": "by_state",
                "parent": "by_parent", "root": "by_root"}
#: what a list reads of a header (not the redo log)
HEADER_VIEW = ["pk", "sk", "body", "s3", "meta", "gone"]

_MAPS = {"TASK": "tasks", "ACTION": "actions", "CALL": "calls", "ITEMS": "items"}


#: a redo log longer than this is stored zlib-compressed (``logz``): the header is written
#: on every save and billed by the KB, before and after, and JSON records compress 4-8x
PACK_LOG_OVER = 512


def _pack_log(text: str) -> str | bytes:
    if len(text) <= PACK_LOG_OVER:
        return text
    packed = zlib.compress(text.encode("utf-8"), 6)
    return packed if len(packed) < utf8_len(text) else text


def _digest(body: str, s3: str | None, log: str) -> str:
    """What a commit is recognised by (its own late answer, the log form it wrote)."""
    return hashlib.sha256("\0".join([body, s3 or "", log]).encode("utf-8")).hexdigest()


def _stored_len(log: str | bytes) -> int:
    return len(log) if isinstance(log, bytes) else utf8_len(log)


class ConcurrentSaveError(Exception):
    """Another writer saved this execution since it was loaded: reload and decide again."""

    def __init__(self, execution_id: str, expected: int, found: int | None) -> None:
        super().__init__(f"execution {execution_id}: expected version {expected}, "
                         f"found {'none' if found is None else found}")
        self.execution_id = execution_id
        self.expected = expected
        self.found = found


@dataclass(slots=True)
class LoadedExecution:
    """What ``load`` returns: the state to give ``decide``, the version to pass to
    ``save``, the commands of the previous save still to be sent (send them, then
    ``mark_sent(execution_id, version)``) and the creation facts (``meta``)."""

    state: ExecutionState
    version: int
    outbox: list[Any] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class IoStats:
    """DynamoDB and S3 calls made by a store, and items read and written: the
    inputs of the cost model (units follow from item sizes)."""

    calls: dict[str, int] = field(default_factory=dict)
    items_read: int = 0
    items_written: int = 0

    def count(self, op: str, read: int = 0, written: int = 0) -> None:
        self.calls[op] = self.calls.get(op, 0) + 1
        self.items_read += read
        self.items_written += written

    def total(self) -> int:
        return sum(self.calls.values())


@dataclass(slots=True)
class Page:
    """One page of a list view; pass ``next`` back as ``start`` for the next one."""

    items: list[Any]
    next: dict[str, Any] | None


def _condition_failed(exc: Exception) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _when(epoch: int | None) -> datetime.datetime | None:
    """PynamoDB's TTLAttribute wants an aware datetime; we compute epoch seconds."""
    return None if epoch is None else datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)


def _project_key(project_id: str) -> str:
    """The project as index keys hold it: ``by_project``'s hash key and the head of
    ``g_sort`` (a sort key, with room left for ``#<created>``)."""
    return index_value(project_id, RANGE_KEY_MAX - 64)


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def listing_key(project_id: str, kind: str) -> str:
    """``by_project``'s hash key for a project's task (``TASK``) or action
    (``ACTION``) records: the index execution headers use (hash = the project)
    is shared, with keys of its own, so records need no index of their own."""
    return f"{_project_key(project_id)}#{kind}"


def _list_in_project(item: dict[str, Any], record: Record, project_id: str) -> None:
    """Give a task or action record's item its project-wide listing entry
    (``gp``, ``gc``: ``by_project`` key and creation time). Both never change
    after creation, so DynamoDB writes the index entry once per record.
    Sub-workflow runs are not action executions (Mistral lists them as executions)."""
    if isinstance(record, TaskRecord):
        kind = "TASK"
    elif isinstance(record, ActionRecord) and not record.is_workflow:
        kind = "ACTION"
    else:
        return
    item["gp"] = listing_key(project_id, kind)
    item["gc"] = float(record.created_at)


class ExecutionStore:
    """Executions in the executions table, large values in the payload bucket.

    ``checkpoint``, when set, is called with a step name after every AWS call
    that ``save`` makes: the crash tests raise from it.
    """

    def __init__(self, settings: Settings | None = None, models: Models | None = None,
                 payloads: PayloadStore | None = None) -> None:
        self.settings = settings or Settings.from_env()
        self.models = models or build_models(self.settings)
        self.Item = self.models.Execution
        self.payloads = payloads or PayloadStore(self.settings)
        self.stats = IoStats()
        self.checkpoint: Callable[[str], None] | None = None
        self.items_cache = ItemsCache()

    # ------------------------------------------------------------------ items

    def _step(self, name: str) -> None:
        if self.checkpoint is not None:
            self.checkpoint(name)

    def _offload(self, execution_id: str) -> Callable[[str], str]:
        def put(text: str) -> str:
            key = self.payloads.put(f"executions/{execution_id}", text.encode("utf-8"))
            self.stats.count("s3.PutObject")
            self._step("s3.PutObject")
            return key
        return put

    def encode_record(self, execution_id: str, record: Record, budget: int | None = None) -> dict[str, Any]:
        """A record as a log item: ``sk``, ``body`` (inline fields), ``s3`` (offloaded
        fields -> object keys) and ``rid`` (the by_record index) where it applies."""
        inline, offloaded = fit_fields(codec.record_fields(record), budget or self.settings.item_budget,
                                       self._offload(execution_id))
        item: dict[str, Any] = {"sk": record.key, "body": codec.join_fields(inline)}
        if offloaded:
            item["s3"] = _dumps(offloaded)
        if isinstance(record, TaskRecord) or (isinstance(record, ActionRecord) and "." not in record.id):
            item["rid"] = record.id
        return item

    def _decode(self, sk: str, body: str | None, s3: str | None, cache: dict[str, Any]) -> Record:
        values = codec.loads(body) if body else {}
        if s3:
            for name, key in json.loads(s3).items():
                if sk.startswith("ITEMS#"):
                    values[name] = self._items_value(key)
                    continue
                if key not in cache:
                    cache[key] = self.payloads.get(key).decode("utf-8")
                    self.stats.count("s3.GetObject")
                values[name] = codec.loads(cache[key])
        return codec.decode_record(sk, values)

    def _items_value(self, key: str) -> Any:
        """An ITEMS record's offloaded field, decoded once per store (items_cache.py)."""
        value = self.items_cache.get(key)
        if value is None:
            value = codec.loads(self.payloads.get(key).decode("utf-8"))
            self.stats.count("s3.GetObject")
            self.items_cache.put(key, value)
        return value

    def _model(self, execution_id: str, item: dict[str, Any], version: int) -> Any:
        return self.Item(execution_id, item["sk"], v=version, body=item.get("body"), s3=item.get("s3"),
                         rid=item.get("rid"), g_project=item.get("gp"), created=item.get("gc"),
                         expires_at=_when(item.get("exp")))

    def _write_items(self, execution_id: str, items: Sequence[dict[str, Any]], version: int) -> None:
        for chunk in _chunks(items, BATCH_WRITE_MAX):
            with self.Item.batch_write() as batch:
                for item in chunk:
                    batch.save(self._model(execution_id, item, version))
            self.stats.count("BatchWriteItem", written=len(chunk))
            self._step("BatchWriteItem")

    def _read_log(self, header: Any) -> dict[str, Any] | None:
        if header.logz and header.log:  # a writer that knows one form only (during a deploy) left the other
            plain = _digest(header.body or "", header.s3, header.log) == header.digest
            return self.log_of(header.log if plain else header.logz, None)
        return self.log_of(header.logz or header.log, header.log_s3)

    def log_of(self, log: str | bytes | None, log_key: str | None) -> dict[str, Any] | None:
        """A redo log in the form a commit stored it: compressed (bytes), plain, or in S3."""
        if isinstance(log, bytes):
            return json.loads(zlib.decompress(log))
        if log:
            return json.loads(log)
        if log_key:
            self.stats.count("s3.GetObject")
            return json.loads(self.payloads.get(log_key))
        return None

    # ------------------------------------------------------------------ save

    def save(self, execution_id: str, decision: Any, commands: Sequence[Any], expected_version: int, *,
             meta: dict[str, Any] | None = None, at: float | None = None) -> int:
        """Make a decision durable with its commands (``commands``: the serialised
        commands, JSON values, e.g. ``records_codec.encode_commands(decision.commands)``).

        ``decision`` is the engine's ``Decision`` (its ``state.header`` and
        ``changed`` are used). ``expected_version`` is the version ``load`` gave
        (0 for a new execution). ``meta`` (project_id, workflow_id, namespace,
        description ...) is stored when the execution is created and kept after.
        Returns the new version. Saving the same decision twice is a no-op;
        a different one against a moved-on version raises ``ConcurrentSaveError``.
        """
        if expected_version and not decision.changed and not commands:
            return expected_version  # a batch that changed nothing (redelivered events) writes nothing
        header: ExecutionRecord = decision.state.header
        version = expected_version + 1
        others = [r for r in decision.changed if r.key != HEADER]
        expires = self._expiry(header)
        items = [self.encode_record(execution_id, r, ITEMS_INLINE_MAX if isinstance(r, ItemsRecord) else None)
                 for r in others]
        project = (meta or {}).get("project_id") or DEFAULT_PROJECT
        for record, item in zip(others, items):
            _list_in_project(item, record, project)
        if expires:
            for item in items:
                item["exp"] = expires
        log_text = _dumps({"items": items, "commands": list(commands)})

        fields = codec.record_fields(header)
        budget = self.settings.item_budget
        meta = dict(meta or {})
        meta.setdefault("project_id", DEFAULT_PROJECT)
        meta_text = _dumps(meta)
        header_size = sum(len(k) + utf8_len(v) + 2 for k, v in fields.items())
        log_key = None
        packed = _pack_log(log_text)
        if header_size + _stored_len(packed) + utf8_len(meta_text) > budget:
            log_key = self.payloads.put(f"executions/{execution_id}/log", log_text.encode("utf-8"))
            self.stats.count("s3.PutObject")
            self._step("s3.PutObject")
        inline_log = None if log_key else packed
        room = budget - utf8_len(meta_text) - (_stored_len(inline_log) if inline_log else 0)
        inline, offloaded = fit_fields(fields, room, self._offload(execution_id))
        body = codec.join_fields(inline)
        s3 = _dumps(offloaded) if offloaded else None
        digest = _digest(body, s3, log_key or log_text)

        self._commit(execution_id, header, version, body, s3, inline_log, log_key, digest, meta, expires, at)
        self._write_items(execution_id, items, version)
        if not commands:
            self.mark_sent(execution_id, version)
        return version

    def _expiry(self, header: ExecutionRecord) -> int | None:
        if self.settings.execution_retention and header.state in states.COMPLETED:
            return int(header.updated_at) + self.settings.execution_retention
        return None

    def _commit(self, execution_id: str, header: ExecutionRecord, version: int, body: str, s3: str | None,
                log: str | bytes | None, log_key: str | None, digest: str, meta: dict[str, Any],
                expires: int | None, at: float | None = None) -> None:
        I = self.Item
        project = meta["project_id"]
        created = float(header.created_at)
        expected = version - 1
        actions = [I.v.set(version), I.body.set(body), I.digest.set(digest),
                   I.s3.set(s3) if s3 else I.s3.remove(),
                   I.log.set(log) if isinstance(log, str) else I.log.remove(),
                   I.logz.set(log) if isinstance(log, bytes) else I.logz.remove(),
                   I.log_s3.set(log_key) if log_key else I.log_s3.remove(),
                   I.g_workflow.set(index_value(header.workflow or "", HASH_KEY_MAX)),
                   I.g_state.set(header.state)]
        if expected == 0:  # set once, by the save that creates the header (so plain sets); later saves keep them
            actions += [I.meta.set(_dumps(meta)), I.g_project.set(_project_key(project)), I.created.set(created),
                        I.g_sort.set(f"{_project_key(project)}#{created:017.6f}"),
                        *_lineage(I, header, meta, project)]
        if expires:
            actions.append(I.expires_at.set(_when(expires)))
        if at is not None:
            actions.append(I.saved.set(at))
        condition = I.pk.does_not_exist() if expected == 0 else (I.v == expected)
        try:
            self.Item._get_connection().update_item(execution_id, HEADER, actions=actions, condition=condition)
            self.stats.count("UpdateItem", written=1)
        except UpdateError as exc:
            self.stats.count("UpdateItem")
            if not _condition_failed(exc):
                raise
            current = self._get(execution_id, HEADER, attributes=["v", "digest"])
            if current is None or current.v != version or current.digest != digest:
                raise ConcurrentSaveError(execution_id, expected, None if current is None else int(current.v)) from None
        self._step("UpdateItem")

    # ------------------------------------------------------------------ outbox

    def mark_sent(self, execution_id: str, version: int) -> None:
        """Record that save ``version`` is complete: its records are materialised
        and its commands were sent. Never moves backwards."""
        I = self.Item
        try:
            I(execution_id, DONE, v=version).save(condition=I.v.does_not_exist() | (I.v < version))
            self.stats.count("PutItem", written=1)
        except PutError as exc:
            self.stats.count("PutItem")
            if not _condition_failed(exc):
                raise
        self._step("PutItem")

    def pending_outbox(self, execution_id: str) -> tuple[int, list[Any]] | None:
        """(version, commands) of a save whose commands may not have been sent,
        after completing its materialisation; None when nothing is pending.
        Two small reads when nothing is pending."""
        header, done = self._header_and_done(execution_id)
        if header is None or header.v is None or (done is not None and done >= header.v) or header.gone:
            return None
        log = self._read_log(header) or {"items": [], "commands": []}
        self._complete(execution_id, int(header.v), log, present={})
        return (int(header.v), log["commands"]) if log["commands"] else None

    def _complete(self, execution_id: str, version: int, log: dict[str, Any], present: dict[str, int]) -> None:
        """Re-write the log items the partition does not hold at ``version``
        (``present``: sk -> version as read; empty = unknown, write them all),
        then mark the log done if it has no commands to send."""
        stale = [item for item in log["items"] if present.get(item["sk"], -1) < version]
        self._write_items(execution_id, stale, version)
        if not log["commands"]:
            self.mark_sent(execution_id, version)

    # ------------------------------------------------------------------ load

    def _get(self, execution_id: str, sk: str, attributes: list[str] | None = None) -> Any:
        try:
            item = self.Item.get(execution_id, sk, consistent_read=True, attributes_to_get=attributes)
            self.stats.count("GetItem", read=1)
            return item
        except self.Item.DoesNotExist:
            self.stats.count("GetItem")
            return None

    def _header_and_done(self, execution_id: str) -> tuple[Any, int | None]:
        found = {i.sk: i for i in self.Item.batch_get([(execution_id, HEADER), (execution_id, DONE)],
                                                     consistent_read=True)}
        self.stats.count("BatchGetItem", read=len(found))
        done = found.get(DONE)
        return found.get(HEADER), (int(done.v) if done is not None else None)

    def load(self, execution_id: str, *, lazy: bool = False) -> LoadedExecution | None:
        """The execution's state, or None if it does not exist.

        Full (default): one strongly consistent Query over the partition
        (paginated), offloaded values fetched. ``lazy``: only the header is read;
        ``state.tasks`` / ``actions`` / ``calls`` / ``items`` fetch a record when
        the engine asks for its key, and their whole kind when it iterates
        (or after a few misses). Either way an unfinished save is completed first.
        """
        if lazy:
            header, done = self._header_and_done(execution_id)
            rows: list[Any] = [header] if header is not None else []
        else:
            rows = list(self.Item.query(execution_id, consistent_read=True))
            self.stats.count("Query", read=len(rows))
            header = next((r for r in rows if r.sk == HEADER), None)
            done = next((int(r.v) for r in rows if r.sk == DONE), None)
        if header is None:
            return None
        if header.gone is not None:
            return self._dead(execution_id, header)
        version = int(header.v or 0)
        cache: dict[str, Any] = {}
        outbox: list[Any] = []
        overlay: dict[str, dict[str, Any]] = {}
        if done is None or done < version:
            log = self._read_log(header)
            if log is not None:
                present = {r.sk: int(r.v or 0) for r in rows if r.sk not in (HEADER, DONE)}
                self._complete(execution_id, version, log, present if not lazy else {})
                overlay = {item["sk"]: item for item in log["items"]}
                outbox = list(log["commands"])
        state = ExecutionState(self._decode(HEADER, header.body, header.s3, cache))  # type: ignore[arg-type]
        if lazy:
            for prefix, attr in _MAPS.items():
                setattr(state, attr, LazyRecords(self, execution_id, prefix, cache))
        for row in rows:
            if row.sk in (HEADER, DONE) or row.sk in overlay or row.sk.split("#", 1)[0] not in _MAPS:
                continue
            self._place(state, self._decode(row.sk, row.body, row.s3, cache))
        for sk, item in overlay.items():
            self._place(state, self._decode(sk, item.get("body"), item.get("s3"), cache), preload=lazy)
        state.changed = {}
        return LoadedExecution(state, version, outbox, json.loads(header.meta) if header.meta else {})

    @staticmethod
    def _place(state: ExecutionState, record: Record, preload: bool = False) -> None:
        mapping = getattr(state, _MAPS[record.key.split("#", 1)[0]])
        key = record.task_id if record.key.startswith("ITEMS#") else record.id  # type: ignore[union-attr]
        if preload:
            mapping.preload(key, record)
        else:
            mapping[key] = record

    def fetch_record(self, execution_id: str, sk: str, cache: dict[str, Any] | None = None) -> Record | None:
        """One record by key (strongly consistent GetItem), as the last committed save left
        it (``unfinished``): for readers that do not load the execution (the API)."""
        found = self._fetch_record(execution_id, sk, cache)
        item = self.unfinished([execution_id]).get(execution_id, {}).get(sk) if found is not None else None
        if item is not None:
            return self._decode(sk, item.get("body"), item.get("s3"), {} if cache is None else cache)
        return found

    def _fetch_record(self, execution_id: str, sk: str, cache: dict[str, Any] | None = None) -> Record | None:
        row = self._get(execution_id, sk)
        return None if row is None else self._decode(sk, row.body, row.s3, {} if cache is None else cache)

    def query_records(self, execution_id: str, prefix: str, cache: dict[str, Any] | None = None) -> list[Record]:
        """All records of one kind (``TASK#`` ...), one Query (paginated), as the last
        committed save left them (``unfinished``): for readers that do not load the execution."""
        cache = {} if cache is None else cache
        found = self._query_records(execution_id, prefix, cache)
        pending = self.unfinished([execution_id]).get(execution_id, {}) if found else {}
        return [self._decode(r.key, pending[r.key].get("body"), pending[r.key].get("s3"), cache)  # type: ignore[union-attr]
                if r.key in pending else r for r in found]  # type: ignore[union-attr]

    def _query_records(self, execution_id: str, prefix: str, cache: dict[str, Any] | None = None) -> list[Record]:
        I = self.Item
        rows = list(I.query(execution_id, I.sk.startswith(prefix), consistent_read=True))
        self.stats.count("Query", read=len(rows))
        cache = {} if cache is None else cache
        return [self._decode(r.sk, r.body, r.s3, cache) for r in rows]

    def unfinished(self, execution_ids: Sequence[str]) -> dict[str, dict[str, dict[str, Any]]]:
        """Execution id -> {sk: item} of the records its last save committed but may not
        have written yet (the save is not marked done: a handler is between its commit
        and its mark, or stopped there and its message is not back yet). Readers that do
        not load the execution (which completes such a save) read the records the
        partition holds in these versions, so that none lags its header (an execution
        SUCCESS, its task still RUNNING); records the save creates appear once written,
        with their index entries. Read only: one small BatchGetItem (versions only),
        and the header's redo log for those behind."""
        keys = [(e, k) for e in dict.fromkeys(execution_ids) for k in (HEADER, DONE)]
        versions: dict[str, dict[str, int]] = {}
        for chunk in _chunks(keys, BATCH_GET_MAX):
            rows = list(self.Item.batch_get(chunk, consistent_read=True, attributes_to_get=["pk", "sk", "v", "gone"]))
            self.stats.count("BatchGetItem", read=len(rows))
            for row in rows:
                if row.gone is None:
                    versions.setdefault(row.pk, {})[row.sk] = int(row.v or 0)
        behind = [e for e, v in versions.items() if HEADER in v and v.get(DONE, -1) < v[HEADER]]
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for execution_id in behind:
            header = self._get(execution_id, HEADER)
            log = self._read_log(header) if header is not None and int(header.v or 0) == versions[execution_id][HEADER] else None
            if log and log.get("items"):
                out[execution_id] = {item["sk"]: item for item in log["items"]}
        return out

    # ------------------------------------------------------------------ API look-ups

    def get_execution(self, execution_id: str) -> tuple[ExecutionRecord, dict[str, Any]] | None:
        """The header record and meta, without completing anything (API reads)."""
        row = self._get(execution_id, HEADER)
        if row is None or row.gone is not None:
            return None
        return self._decode(HEADER, row.body, row.s3, {}), json.loads(row.meta) if row.meta else {}  # type: ignore[return-value]

    def list_tasks(self, execution_id: str) -> list[TaskRecord]:
        return sorted(self.query_records(execution_id, "TASK#"), key=lambda t: t.seq)  # type: ignore[attr-defined,return-value]

    def list_actions(self, execution_id: str, task_id: str | None = None) -> list[ActionRecord]:
        prefix = f"ACTION#{task_id}." if task_id else "ACTION#"
        return self.query_records(execution_id, prefix)  # type: ignore[return-value]

    def _owner(self, record_id: str) -> str | None:
        rows = list(self.Item.by_record.query(record_id, limit=1))
        self.stats.count("Query", read=len(rows))
        return rows[0].pk if rows else None

    def find_task(self, task_id: str) -> tuple[str, TaskRecord] | None:
        """A task execution by its id alone (``/v2/tasks/<id>``): the by_record
        index names its execution (eventually consistent), then one GetItem."""
        owner = self._owner(task_id)
        record = self.fetch_record(owner, f"TASK#{task_id}") if owner else None
        return (owner, record) if record is not None else None  # type: ignore[return-value]

    def find_action(self, action_id: str) -> tuple[str, ActionRecord] | None:
        """An action execution by its id alone. Action ids are ``<task id>.<run>.<index>``
        (docs/engine.md), so the task's index entry serves; runs of sub-workflows
        (id = the child execution id) have their own entry."""
        owner = self._owner(action_id.split(".", 1)[0])
        record = self.fetch_record(owner, f"ACTION#{action_id}") if owner else None
        return (owner, record) if record is not None else None  # type: ignore[return-value]

    def list_executions(self, project_id: str = DEFAULT_PROJECT, *, workflow: str | None = None,
                        state: str | None = None, limit: int = 100, newest_first: bool = True,
                        start: dict[str, Any] | None = None) -> Page:
        """A page of execution headers of one project, by creation time, optionally
        of one workflow or in one state (an index Query, then one BatchGetItem)."""
        I = self.Item
        kwargs: dict[str, Any] = {"limit": limit, "scan_index_forward": not newest_first,
                                  "last_evaluated_key": start}
        project = _project_key(project_id)
        if workflow is not None:
            result = I.by_workflow.query(index_value(workflow, HASH_KEY_MAX), I.g_sort.startswith(f"{project}#"),
                                         **kwargs)
        elif state is not None:
            result = I.by_state.query(state, I.g_sort.startswith(f"{project}#"), **kwargs)
        else:
            result = I.by_project.query(project, **kwargs)
        keys = [r.pk for r in result]
        self.stats.count("Query", read=len(keys))
        found: dict[str, Any] = {}
        for chunk in _chunks(keys, BATCH_GET_MAX):
            for row in I.batch_get([(k, HEADER) for k in chunk]):
                found[row.pk] = row
            self.stats.count("BatchGetItem", read=len(chunk))
        headers = [self._decode(HEADER, found[k].body, found[k].s3, {}) for k in keys if k in found]
        if workflow is not None and state is not None:
            headers = [h for h in headers if h.state == state]  # type: ignore[attr-defined]
        return Page(headers, result.last_evaluated_key)

    def index_entries(self, index: str, key: str | None, project_id: str | None, *, newest_first: bool = True,
                      from_second: int | None = None, page_size: int = 100) -> Iterator[tuple[str, float]]:
        """``(execution id, creation time)`` from a list index in creation order, read a page
        at a time as the caller iterates (a caller that stops iterating stops reading).

        ``index``: ``project`` (``key`` unused) or a ``LIST_INDEXES`` name; for ``root``, key
        None means the project's root executions. ``project_id`` None: every project (then
        the order holds only within a project). ``from_second``: begin at that second of
        creation (marker paging); later (or, newest first, earlier) entries follow."""
        I = self.Item
        step = {"scan_index_forward": not newest_first, "page_size": page_size}
        if index == "project" and project_id is None:
            rows: Iterable[Any] = I.by_project.scan(page_size=page_size)
        elif index == "project":
            cond = None
            if from_second is not None:
                cond = I.created < from_second + 1 if newest_first else I.created >= from_second
            rows = I.by_project.query(_project_key(project_id), cond, **step)
        else:
            if index == "root" and key is None:
                key = _roots_key(project_id or DEFAULT_PROJECT)
            elif index == "workflow":
                key = index_value(key or "", HASH_KEY_MAX)  # as the commit writes it
            cond = None
            if project_id is not None:
                head = f"{_project_key(project_id)}#"
                cond = I.g_sort.startswith(head)
                if from_second is not None:
                    cond = (I.g_sort.between(head, f"{head}{from_second + 1:017.6f}") if newest_first
                            else I.g_sort.between(f"{head}{from_second:017.6f}", f"{head}~"))
            rows = getattr(I, LIST_INDEXES[index]).query(key, cond, **step)
        self.stats.count("Query")
        for row in rows:
            self.stats.items_read += 1
            if row.sk != HEADER:
                continue  # by_project also lists task and action records (other hash keys)
            created = float(row.created if index == "project" else row.g_sort.rsplit("#", 1)[1])
            yield row.pk, created

    def headers(self, ids: Sequence[str]) -> dict[str, tuple[ExecutionRecord, dict[str, Any]]]:
        """Headers and meta of executions by id (BatchGetItem, eventually consistent: list
        views); deleted or unknown ids are left out."""
        return {row.pk: (self._decode(HEADER, row.body, row.s3, {}),  # type: ignore[misc]
                         json.loads(row.meta) if row.meta else {})
                for row in self._live_headers(ids, HEADER_VIEW)}

    def activity(self, ids: Sequence[str]) -> dict[str, tuple[str, float]]:
        """Execution id -> (state, when it was last saved, or created if no save said so):
        what the sweeper judges quiet by (BatchGetItem, eventually consistent)."""
        return {row.pk: (row.g_state, float(row.saved or row.created or 0))
                for row in self._live_headers(ids, ["pk", "g_state", "saved", "created", "gone"]) if row.g_state}

    def _live_headers(self, ids: Sequence[str], attributes: list[str]) -> Iterator[Any]:
        """The header items of these executions that exist and are not deleted (BatchGetItem,
        eventually consistent, ``attributes`` only)."""
        for chunk in _chunks(list(dict.fromkeys(ids)), BATCH_GET_MAX):
            rows = list(self.Item.batch_get([(k, HEADER) for k in chunk], attributes_to_get=attributes))
            self.stats.count("BatchGetItem", read=len(rows))
            yield from (row for row in rows if row.gone is None)

    def next_ask(self, execution_id: str) -> int | None:
        """Count one more state change asked of an execution and return the count (the
        API makes the event's id from it: each request is its own event, a redelivery the
        same one); None if the execution does not exist."""
        I = self.Item
        try:
            data = I._get_connection().update_item(
                execution_id, HEADER, actions=[I.asks.add(1)], condition=I.pk.exists() & I.gone.does_not_exist(),
                return_values="UPDATED_NEW")
        except UpdateError as exc:
            self.stats.count("UpdateItem")
            if _condition_failed(exc):
                return None
            raise
        self.stats.count("UpdateItem", written=1)
        return int(data["Attributes"]["asks"]["N"])

    def update_meta(self, execution_id: str, changes: dict[str, Any],
                    attempts: int = 5) -> tuple[ExecutionRecord, dict[str, Any]] | None:
        """Change facts kept in ``meta`` (the description): one conditional write of that
        attribute, which saves never rewrite once it is set, so it races no engine batch."""
        I = self.Item
        for _ in range(attempts):
            row = self._get(execution_id, HEADER, attributes=HEADER_VIEW)
            if row is None or row.gone is not None:
                return None
            meta = {**(json.loads(row.meta) if row.meta else {}), **changes}
            unchanged = (I.meta == row.meta) if row.meta else I.meta.does_not_exist()
            try:
                I._get_connection().update_item(execution_id, HEADER, actions=[I.meta.set(_dumps(meta))],
                                                condition=I.pk.exists() & I.gone.does_not_exist() & unchanged)
            except UpdateError as exc:
                self.stats.count("UpdateItem")
                if not _condition_failed(exc):
                    raise
                continue
            self.stats.count("UpdateItem", written=1)
            return self._decode(HEADER, row.body, row.s3, {}), meta  # type: ignore[return-value]
        raise ConcurrentSaveError(execution_id, -1, None)

    def amend_header(self, execution_id: str, change: Callable[[ExecutionRecord], None],
                     attempts: int = 5) -> tuple[ExecutionRecord, dict[str, Any]] | None:
        """Change the header as one more save (the env of a paused or failed execution).

        ``change`` edits the header read (it may raise to refuse, seeing the current state on
        every attempt). The save's version check keeps it and an engine batch from
        overwriting each other (the loser reloads). A save whose commands may be unsent is
        carried into this one, records and commands, so the next load sends them again
        rather than losing them; it is first given ``AMEND_WAIT`` seconds to be marked sent,
        since a carried command is sent again under this save's event ids (the engine
        ignores repeated events; an action may run twice, as after a crash). None if the
        execution does not exist."""
        for _ in range(attempts):
            row, done = self._header_and_done(execution_id)
            waited = 0.0
            while row is not None and (done is None or done < int(row.v or 0)) and waited < AMEND_WAIT:
                time.sleep(0.05)  # the engine handler between its save and mark_sent: milliseconds
                waited += 0.05
                row, done = self._header_and_done(execution_id)
            if row is None or row.gone is not None:
                return None
            version = int(row.v or 0)
            header: ExecutionRecord = self._decode(HEADER, row.body, row.s3, {})  # type: ignore[assignment]
            meta = json.loads(row.meta) if row.meta else {}
            change(header)
            carried: list[Record] = []
            commands: list[Any] = []
            log = self._read_log(row) if done is None or done < version else None
            if log:
                cache: dict[str, Any] = {}
                carried = [self._decode(i["sk"], i.get("body"), i.get("s3"), cache) for i in log["items"]]
                commands = list(log["commands"])
            try:
                self.save(execution_id, _Amendment(ExecutionState(header), [header, *carried]), commands, version,
                          meta=meta)
            except ConcurrentSaveError:
                continue
            return header, meta
        raise ConcurrentSaveError(execution_id, -1, None)

    def delete_tree(self, execution_id: str, now: float) -> list[str] | None:
        """Delete an execution with its sub-executions (Mistral deletes them with it),
        children before parents; returns the ids deleted, None if there is no such execution.

        Each header first becomes a tombstone: out of every list index, its version moved
        on so that an engine batch in flight loses its commit. Then the rest of its
        partition and its S3 objects go. A tombstone stays ``TOMBSTONE_SECONDS``: ``load``
        gives the engine an ended, empty execution for it (every event a no-op, nothing
        saved) and sweeps the partition again, which removes what a batch that was
        materialising during the delete wrote: the caller sends each deleted execution an
        event for that. Sub-executions are found from the partition (a workflow task's
        runs, strongly consistent), so one not started yet is tombstoned before it exists.
        A delete cut short is completed by deleting again (tombstones count as existing)."""
        if self._get(execution_id, HEADER, attributes=["pk", "gone"]) is None:
            return None
        order: list[str] = []
        self._collect(execution_id, order, set())
        for eid in order:
            self._tombstone(eid, now)
            self._sweep(eid)
        return order

    def is_deleted(self, execution_id: str) -> bool:
        row = self._get(execution_id, HEADER, attributes=["pk", "gone"])
        return row is not None and row.gone is not None

    def is_live(self, execution_id: str) -> bool:
        """Stored and not deleted (a tombstone, or nothing left at all, is not live)."""
        row = self._get(execution_id, HEADER, attributes=["pk", "gone"])
        return row is not None and row.gone is None

    def _collect(self, execution_id: str, order: list[str], seen: set[str]) -> None:
        """``order``: the executions under this one, depth first, then this one. A workflow
        task's runs are its sub-executions: the run id is the child execution's id."""
        seen.add(execution_id)
        I = self.Item
        for task in self._query_records(execution_id, "TASK#"):
            if getattr(task, "kind", None) != "WORKFLOW":
                continue
            rows = list(I.query(execution_id, I.sk.startswith(f"ACTION#{task.id}."), consistent_read=True,
                                attributes_to_get=["pk", "sk"]))
            self.stats.count("Query", read=len(rows))
            for row in rows:
                child = row.sk.split("#", 1)[1]
                if child not in seen:
                    self._collect(child, order, seen)
        order.append(execution_id)

    def _tombstone(self, execution_id: str, now: float) -> None:
        I = self.Item
        dropped = [I.body, I.s3, I.log, I.logz, I.log_s3, I.digest, I.g_project, I.created, I.g_sort, I.g_workflow,
                   I.g_state, I.g_parent, I.g_root, I.g_wfid]
        actions = [I.gone.set(now), I.v.add(1), I.expires_at.set(_when(int(now) + TOMBSTONE_SECONDS)),
                   *[attr.remove() for attr in dropped]]
        I._get_connection().update_item(execution_id, HEADER, actions=actions)
        self.stats.count("UpdateItem", written=1)

    def _sweep(self, execution_id: str) -> None:
        """Delete every item of the partition but the header, and the execution's S3 objects."""
        I = self.Item
        rows = [r for r in I.query(execution_id, consistent_read=True, attributes_to_get=["pk", "sk"])]
        self.stats.count("Query", read=len(rows))
        doomed = [r.sk for r in rows if r.sk != HEADER]
        for chunk in _chunks(doomed, BATCH_WRITE_MAX):
            with I.batch_write() as batch:
                for sk in chunk:
                    batch.delete(I(execution_id, sk))
            self.stats.count("BatchWriteItem", written=len(chunk))
        s3 = self.payloads.client
        bucket = self.payloads.bucket
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"executions/{execution_id}/"):
            self.stats.count("s3.ListObjectsV2")
            keys = [{"Key": o["Key"]} for o in page.get("Contents") or []]
            if keys:
                s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
                self.stats.count("s3.DeleteObjects")

    def _dead(self, execution_id: str, row: Any) -> LoadedExecution:
        """A deleted execution as the engine sees it: ended and empty, so every event is a
        no-op that saves nothing. The partition is swept again first: the FIFO group runs
        one batch at a time, so a batch that was materialising during the delete is over."""
        self._sweep(execution_id)
        header = ExecutionRecord(id=execution_id, workflow="", state=states.CANCELLED)
        return LoadedExecution(ExecutionState(header), int(row.v or 0), [], json.loads(row.meta) if row.meta else {})

    # ------------------------------------------------------------------ project-wide task and action lists

    def project_records(self, project_id: str, kind: str, *, newest_first: bool = False,
                        start: float | None = None, page: int = 100) -> Iterator[tuple[str, Any, dict[str, Any] | None]]:
        """A project's task (``kind`` = ``TASK``) or action (``ACTION``) records in
        creation order (``newest_first``: reversed), from creation time ``start``
        on (newest first: back), ``start`` included. Reads ``by_project`` under
        ``listing_key`` a page at a time and the bodies with one BatchGetItem a page,
        lazily: a caller that stops iterating reads no further. Yields (execution id,
        record, meta): ``meta`` is a standalone action's own (its partition is its id), else None."""
        I = self.Item
        condition = None
        if start is not None:
            condition = I.created <= start if newest_first else I.created >= start
        keys = I.by_project.query(listing_key(project_id, kind), condition, scan_index_forward=not newest_first,
                                  page_size=page)
        chunk: list[tuple[str, str]] = []
        for row in keys:
            chunk.append((row.pk, row.sk))
            if len(chunk) == page:
                yield from self._listed(chunk)
                chunk = []
        if chunk:
            yield from self._listed(chunk)

    def _listed(self, keys: list[tuple[str, str]]) -> Iterator[tuple[str, Any, dict[str, Any] | None]]:
        self.stats.count("Query", read=len(keys))
        rows = {(r.pk, r.sk): r for r in self.Item.batch_get(keys)}
        self.stats.count("BatchGetItem", read=len(rows))
        pending = self.unfinished([pk for pk, _ in keys])
        cache: dict[str, Any] = {}
        for key in keys:
            row = rows.get(key)
            if row is None:  # gone meanwhile (expired, deleted)
                continue
            item = pending.get(row.pk, {}).get(row.sk)
            body, s3 = (item.get("body"), item.get("s3")) if item is not None else (row.body, row.s3)
            yield row.pk, self._decode(row.sk, body, s3, cache), json.loads(row.meta) if row.meta else None

    # ------------------------------------------------------------------ standalone action executions

    def put_standalone_action(self, record: ActionRecord, meta: dict[str, Any]) -> None:
        """Store an action execution started on its own (``POST /v2/action_executions``)
        in a partition of its own (pk = its id, item ``ACTION#<id>``), with ``meta``
        (project_id, namespace, description, accepted ...). Its ``rid`` makes
        ``find_action`` find it; it is listed in its project with workflow actions."""
        item = self.encode_record(record.id, record)
        _list_in_project(item, record, meta.get("project_id") or DEFAULT_PROJECT)
        model = self._model(record.id, item, 1)
        model.meta = _dumps(meta)
        try:
            model.save(condition=self.Item.pk.does_not_exist())
        except PutError as exc:
            self.stats.count("PutItem")
            row = self._get(record.id, item["sk"]) if _condition_failed(exc) else None
            if row is None or row.body != model.body:  # not our own put, applied and retried
                raise
            return
        self.stats.count("PutItem", written=1)

    def get_standalone_action(self, action_id: str) -> tuple[ActionRecord, dict[str, Any], int] | None:
        """(record, meta, version) of a standalone action execution; None if there is none."""
        row = self._get(action_id, f"ACTION#{action_id}")
        if row is None or row.meta is None:
            return None
        return self._decode(row.sk, row.body, row.s3, {}), json.loads(row.meta), int(row.v or 0)  # type: ignore[return-value]

    def complete_standalone_action(self, action_id: str, state: str, result: Any, now: float,
                                   meta_changes: dict[str, Any] | None = None
                                   ) -> tuple[ActionRecord, dict[str, Any], bool] | None:
        """End a RUNNING standalone action execution with ``state`` and ``result``:
        (record, meta, True) once done, (record, meta, False) when it had ended
        already (the first completion wins, by a version condition), None when
        there is no such action execution."""
        found = self.get_standalone_action(action_id)
        if found is None:
            return None
        record, meta, version = found
        if record.state != states.RUNNING:
            return record, meta, False
        states.check_action(record.state, state)
        record.state, record.result, record.updated_at = state, result, now
        meta = {**meta, **(meta_changes or {})}
        item = self.encode_record(action_id, record)
        _list_in_project(item, record, meta.get("project_id") or DEFAULT_PROJECT)
        if self.settings.execution_retention:
            item["exp"] = int(now) + self.settings.execution_retention
        model = self._model(action_id, item, version + 1)
        model.meta = _dumps(meta)
        try:
            model.save(condition=self.Item.v == version)
            self.stats.count("PutItem", written=1)
        except PutError as exc:
            self.stats.count("PutItem")
            if not _condition_failed(exc):
                raise
            again = self.get_standalone_action(action_id)
            if again is None:
                return None
            # our own write, applied and retried by botocore after its answer was lost
            ours = again[2] == version + 1 and self.encode_record(action_id, again[0])["body"] == item["body"]
            return again[0], again[1], ours
        return record, meta, True

    def delete_standalone_action(self, action_id: str) -> bool:
        """Delete a standalone action execution's item; False if it was not there."""
        I = self.Item
        try:
            I(action_id, f"ACTION#{action_id}").delete(condition=I.pk.exists())
            self.stats.count("DeleteItem", written=1)
        except DeleteError as exc:
            self.stats.count("DeleteItem")
            if not _condition_failed(exc):
                raise
            return False
        return True

    def expire(self, execution_id: str, at: int) -> int:
        """Give every item of a finished execution the TTL ``at`` (epoch seconds)
        so DynamoDB deletes the whole partition; returns the number of items.
        Items written after the execution finished already carry it."""
        I = self.Item
        rows = list(I.query(execution_id, attributes_to_get=["pk", "sk"]))
        self.stats.count("Query", read=len(rows))
        for row in rows:
            row.update(actions=[I.expires_at.set(_when(at))])
            self.stats.count("UpdateItem", written=1)
        return len(rows)


@dataclass(slots=True)
class _Amendment:
    """What ``save`` reads of a decision, for a header changed outside the engine."""

    state: ExecutionState
    changed: list[Record]


def _roots_key(project_id: str) -> str:
    """``by_root``'s key for the root executions of a project (ids never hold ``#``)."""
    return f"#{_project_key(project_id)}"


def _lineage(I: Any, header: ExecutionRecord, meta: dict[str, Any], project: str) -> list[Any]:
    """Index keys of a header that never change, so they are set once: its parent task
    (``by_parent``), its root (``by_root``; roots under ``#<project>``), its workflow's id."""
    actions = [I.g_root.set(header.root_execution_id or _roots_key(project))]
    if header.parent_task_id:
        actions.append(I.g_parent.set(header.parent_task_id))
    if meta.get("workflow_id"):
        actions.append(I.g_wfid.set(str(meta["workflow_id"])))
    return actions


class LazyRecords(MutableMapping):
    """A dict of one record kind of one execution that fetches on demand.

    ``m[key]`` / ``key in m`` / ``m.get(key)`` read one item (GetItem) the
    first time a key is asked for, misses included; iterating or ``len``
    loads the whole kind with one Query, as does the ``LAZY_MISSES_BEFORE_QUERY``-th
    single fetch (a with-items task reading its results one by one). Records
    the batch has put (``m[key] = record``) always win over what is stored.
    """

    def __init__(self, store: ExecutionStore, execution_id: str, prefix: str, cache: dict[str, Any]) -> None:
        self._store = store
        self._execution_id = execution_id
        self._prefix = prefix
        self._cache = cache
        self._data: dict[str, Any] = {}
        self._absent: set[str] = set()
        self._fetches = 0
        self._complete = False

    def preload(self, key: str, record: Any) -> None:
        self._data[key] = record

    def _load_all(self) -> None:
        if self._complete:
            return
        for record in self._store._query_records(self._execution_id, f"{self._prefix}#", self._cache):
            key = record.task_id if self._prefix == "ITEMS" else record.id
            self._data.setdefault(key, record)
        self._complete = True

    def _fetch(self, key: str) -> bool:
        if key in self._data:
            return True
        if self._complete or key in self._absent:
            return False
        self._fetches += 1
        if self._fetches >= LAZY_MISSES_BEFORE_QUERY:
            self._load_all()
            return key in self._data
        record = self._store._fetch_record(self._execution_id, f"{self._prefix}#{key}", self._cache)
        if record is None:
            self._absent.add(key)
            return False
        self._data[key] = record
        return True

    def __getitem__(self, key: str) -> Any:
        if not self._fetch(key):
            raise KeyError(key)
        return self._data[key]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._fetch(key)

    def __setitem__(self, key: str, value: Any) -> None:
        self._data[key] = value
        self._absent.discard(key)

    def __delitem__(self, key: str) -> None:
        del self._data[key]

    def __iter__(self) -> Iterator[str]:
        self._load_all()
        return iter(list(self._data))

    def __len__(self) -> int:
        self._load_all()
        return len(self._data)

    @property
    def fetched(self) -> int:
        """Keys held in memory (fetched, preloaded or put)."""
        return len(self._data)


def state_records(state: ExecutionState) -> Iterable[Record]:
    """Every record held by a (fully loaded) state."""
    if state.header is not None:
        yield state.header
    for mapping in (state.tasks, state.actions, state.calls, state.items):
        yield from mapping.values()
