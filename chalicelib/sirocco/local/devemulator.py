"""The embedded AWS emulator of `sirocco dev`: moto's server in this process,
on a loopback port, tuned so that deep queues are not quadratic.

Measured on moto 5.2 (2 cores): every SendMessage evaluates the queue's
attributes, which counts the visible, delayed and in-flight messages by walking
the whole queue three times and converts each attribute name from CamelCase;
at 10,000 messages a send costs ~0.1 s, so filling a 10,000-item with-items'
executor queue is quadratic (~10 minutes). ``tune_moto()`` keeps moto's
behaviour and changes three costs, in this process only (and mends one
DynamoDB check that refuses what AWS accepts, ``_replaced_size_counts_once``,
and FIFO order after a failed batch, ``_failed_fifo_batches_keep_order``):

- on a queue deeper than ``EXACT_BELOW`` messages, the three
  ``ApproximateNumberOf...`` counts are remembered for one second (SQS's own
  counts are approximate and eventually consistent, so a one-second-old figure
  in GetQueueAttributes is within what AWS promises); shallower queues are
  counted exactly, as moto does;
- the CamelCase-to-snake_case conversion of attribute names is memoised;
- SQS's clock reads ``time.time()`` directly (moto builds two datetimes per
  reading, and reads it twice per message on every pass over a queue).

Receiving and deleting are made O(depth) per round rather than per message by
the pollers (devpollers.MotoTransport), which call the SQS backend in-process
while the HTTP endpoint stays up for awscli, boto3 and the app.

DynamoDB's item operations answer their results dumped as JSON rather than
through moto's shape-walking serialiser (``_items_as_json``: 0.7 ms per GetItem),
and a Query of a table reads its partition, not the whole table sorted
(``_queries_read_their_partition``).

The service's own DynamoDB and SQS requests skip the loopback HTTP too
(``InProcess``): a botocore client of this process that talks to the emulator
hands its signed request to moto's handler in the calling thread, after every
other ``before-send`` hook (fault injection answers or raises first), so the
handlers and the API pay ~1 ms per request instead of ~3-5 ms of HTTP client,
socket, werkzeug and Flask. The same moto code answers both paths, so the
fixes above hold on both; clients of other processes use the HTTP endpoint.
"""

from __future__ import annotations

import base64
import functools
import importlib
import inspect
import json
import logging
import threading
import time
import urllib.request
from typing import Any, Callable

log = logging.getLogger("sirocco.dev")

#: how long an approximate queue count of a deep queue is reused
COUNT_TTL = 1.0
#: queues with fewer messages than this are counted exactly on every request
EXACT_BELOW = 500

_tuned = False
_tune_lock = threading.Lock()


def _remembered(name: str, compute: Callable[[Any], int]) -> property:
    def getter(queue: Any) -> int:
        if len(queue._messages) < EXACT_BELOW:
            return compute(queue)
        cache = queue.__dict__.setdefault("_sirocco_counts", {})
        now = time.monotonic()
        hit = cache.get(name)
        if hit is not None and now - hit[0] < COUNT_TTL:
            return hit[1]
        value = compute(queue)
        cache[name] = (now, value)
        return value

    getter.__name__ = name
    return property(getter)


def _replaced_size_counts_once() -> None:
    """moto checks an item's 400 KB limit on every attribute it sets, adding the
    new value to the item *including the value it replaces*: an UpdateItem that
    replaces a 200 KB attribute with another is refused, though DynamoDB (and
    DynamoDB Local) accept it, as the resulting item is 200 KB. An execution's
    header replaces its redo log on every save, so a task result of ~40 KB
    failed every save under moto. This counts the replaced value out.

    moto also sizes every attribute of the item again for each one it sets
    (quadratic in the attributes; ~10% of an engine batch's time): the size of a
    string, number or binary value, which cannot change, is remembered on it."""
    try:
        from moto.dynamodb.exceptions import ItemSizeTooLarge
        from moto.dynamodb.models import dynamo_type
        from moto.dynamodb.models.utilities import bytesize
    except ImportError:
        return
    limited = getattr(dynamo_type, "LimitedSizeDict", None)
    if limited is None or getattr(limited, "_sirocco_fixed", False):
        return
    kind = dynamo_type.DynamoType

    def sized(value: Any) -> int:
        if type(value) is not kind:
            return bytesize(str(value))
        if value.type not in ("S", "N", "B"):
            return value.size()
        memo = value.__dict__.get("_sirocco_size")
        if memo is None or memo[0] is not value.value:
            memo = value.__dict__["_sirocco_size"] = (value.value, value.size())
        return memo[1]

    def __setitem__(self: Any, key: str, value: Any) -> None:
        if key in self:
            dict.__delitem__(self, key)  # the check then sees the item as it will be
        current = sum(bytesize(str(k)) + sized(v) for k, v in dict.items(self))
        if current + bytesize(key) + sized(value) > ITEM_LIMIT:
            raise ItemSizeTooLarge
        dict.__setitem__(self, key, value)

    limited.__setitem__ = __setitem__
    limited._sirocco_fixed = True


#: moto's item size limit (DynamoDB's 400 KB, as moto measured it)
ITEM_LIMIT = 405000


def _failed_fifo_batches_keep_order(sqs_models: Any) -> None:
    """moto keeps a message whose visibility timeout ran out "in flight" until a
    receive passes over it, and checks a FIFO message's group against the in-flight
    set it computed before passing over the group's *other* such messages. When a
    batch of one group failed with a retry delay (the notifier's backoff,
    `--retry-delay`), its messages come back together and the head is skipped while
    the rest are delivered: out of order. SQS delivers them in order. This releases
    the messages that are visible again before each receive."""
    backend = getattr(sqs_models, "SQSBackend", None)
    if backend is None or getattr(backend, "_sirocco_fifo_fixed", False):
        return
    original = backend.receive_message

    def receive_message(self: Any, queue_name: str, *args: Any, **kwargs: Any) -> Any:
        queue = self.get_queue(queue_name)
        pending = getattr(queue, "_pending_messages", None)
        if getattr(queue, "fifo_queue", False) and pending:
            for message in [m for m in list(pending) if m.visible]:
                pending.discard(message)
        return original(self, queue_name, *args, **kwargs)

    backend.receive_message = receive_message
    backend._sirocco_fifo_fixed = True


def _one_request_at_a_time() -> None:
    """moto applies an UpdateItem that creates an item in two steps (the keys
    first, then the update), and serves requests on several threads: a read in
    between saw an execution header with no fields, and the engine batch that
    read it failed and waited out the visibility timeout. DynamoDB applies a
    request atomically; one lock around moto's DynamoDB requests does too."""
    try:
        from moto.dynamodb.responses import DynamoHandler
    except ImportError:
        return
    if getattr(DynamoHandler, "_sirocco_locked", False):
        return
    original = DynamoHandler.call_action
    lock = threading.RLock()

    @functools.wraps(original)
    def call_action(self: Any) -> Any:
        with lock:
            return original(self)

    DynamoHandler.call_action = call_action
    DynamoHandler._sirocco_locked = True


#: DynamoDB operations whose results moto builds in their wire shape already
_WIRE_SHAPED = frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "PutItem", "UpdateItem", "DeleteItem",
                          "BatchWriteItem", "TransactGetItems", "TransactWriteItems"})


def _items_as_json() -> None:
    """moto serialises every DynamoDB answer by walking the operation's output shape
    member by member, trying several spellings of each name (~0.7 ms for a GetItem of
    an execution header, more than the read). The item operations' results are plain
    dicts of DynamoDB's JSON already (binary values as bytes, base64 on the wire), so
    they are dumped as they are; anything else goes through moto's serialiser."""
    try:
        from moto.core.responses import ActionResult
        from moto.dynamodb.responses import DynamoHandler
    except ImportError:
        return
    if getattr(DynamoHandler, "_sirocco_json", False):
        return
    original = DynamoHandler.serialized

    def serialized(self: Any, action_result: Any) -> Any:
        result = action_result.result
        if (isinstance(action_result, ActionResult) and isinstance(result, dict)
                and self._get_action() in _WIRE_SHAPED):
            try:
                body = json.dumps(result, default=_base64)
            except (TypeError, ValueError):
                return original(self, action_result)
            return 200, {"Content-Type": "application/x-amz-json-1.0", **self.response_headers}, body
        return original(self, action_result)

    DynamoHandler.serialized = serialized
    DynamoHandler._sirocco_json = True


def _base64(value: Any) -> str:
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not JSON")


_partition = threading.local()


def _queries_read_their_partition() -> None:
    """moto answers a Query of a table (not of an index) by sorting every item of the
    table and keeping the partition's: each lazy load of an execution cost the size of
    the whole table, which grows with every execution run. Here ``all_items`` of such a
    Query lists the partition only (the items moto keeps by hash key), in the same order."""
    try:
        from moto.dynamodb.models.table import Table
    except ImportError:
        return
    if getattr(Table, "_sirocco_partitioned", False):
        return
    original_query, original_all = Table.query, Table.all_items
    signature = inspect.signature(original_query)

    def query(self: Any, *args: Any, **kwargs: Any) -> Any:
        arguments = signature.bind(self, *args, **kwargs).arguments
        if arguments.get("index_name") or arguments.get("hash_key") is None:
            return original_query(self, *args, **kwargs)
        _partition.scope = (self, arguments["hash_key"])
        try:
            return original_query(self, *args, **kwargs)
        finally:
            _partition.scope = None

    def all_items(self: Any) -> Any:
        scope = getattr(_partition, "scope", None)
        if scope is None or scope[0] is not self:
            return original_all(self)
        found = self.items.get(scope[1])
        if found is None:
            return []
        items = list(found.values()) if self.range_key_attr else [found]
        return sorted(items, key=lambda x: (x.hash_key, x.range_key) if x.range_key else x.hash_key)

    Table.query, Table.all_items = query, all_items
    Table._sirocco_partitioned = True


def tune_moto() -> bool:
    """Install the changes above (idempotent). False if moto's SQS internals are
    not what they were when this was measured (then SQS is left as it is)."""
    global _tuned
    with _tune_lock:
        if _tuned:
            return True
        _replaced_size_counts_once()
        _one_request_at_a_time()
        _items_as_json()
        _queries_read_their_partition()
        try:
            from moto.sqs import models as sqs_models
        except ImportError:
            return False
        queue_cls = getattr(sqs_models, "Queue", None)
        names = ("approximate_number_of_messages", "approximate_number_of_messages_delayed",
                 "approximate_number_of_messages_not_visible")
        if queue_cls is None or not all(isinstance(queue_cls.__dict__.get(n), property) for n in names) \
                or not callable(getattr(sqs_models, "camelcase_to_underscores", None)):
            log.warning("moto's SQS model changed; deep queues will be slow")
            return False
        for name in names:
            setattr(queue_cls, name, _remembered(name, queue_cls.__dict__[name].fget))
        sqs_models.camelcase_to_underscores = functools.lru_cache(maxsize=1024)(
            sqs_models.camelcase_to_underscores)
        slow_millis, slow_seconds = sqs_models.unix_time_millis, sqs_models.unix_time

        def unix_time_millis(dt: Any = None) -> float:
            return time.time() * 1000.0 if dt is None else slow_millis(dt)

        def unix_time(dt: Any = None) -> float:
            return time.time() if dt is None else slow_seconds(dt)

        sqs_models.unix_time_millis = unix_time_millis
        sqs_models.unix_time = unix_time
        _failed_fifo_batches_keep_order(sqs_models)
        _tuned = True
        return True


#: services answered in this process; moto routes every path of each to one handler
IN_PROCESS = ("dynamodb", "sqs")


class InProcess:
    """Answers this process's requests to the emulator at ``url`` in the calling
    thread (``attach`` each botocore client; ``close`` sends them back to HTTP)."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.open = True
        self._handlers: dict[str, Callable[..., Any]] = {}
        for service in IN_PROCESS:
            handler = _moto_handler(service)
            if handler is not None:
                self._handlers[service] = handler

    def attach(self, client: Any) -> Any:
        """Route ``client``'s requests here when it talks to this emulator; returns it."""
        service = client.meta.service_model.service_name
        if service in self._handlers and (client.meta.endpoint_url or "").rstrip("/") == self.url:
            client.meta.events.register_last(f"before-send.{service}", self._send,
                                             unique_id=f"sirocco-inprocess-{service}")
        return client

    def close(self) -> None:
        self.open = False

    def _send(self, request: Any, event_name: str = "", **_: Any) -> Any:
        if not self.open or not request.url.startswith(self.url):
            return None  # over HTTP, as any client
        from botocore.awsrequest import AWSResponse
        from moto.core.botocore_stubber import MockRawResponse
        from moto.core.exceptions import HTTPException
        from moto.core.request import normalize_request

        handler = self._handlers[event_name.split(".")[1]]
        normalized = normalize_request(request)
        try:
            status, headers, body = handler(normalized, normalized.raw_url, normalized.headers)
        except HTTPException as exc:
            status, headers, body = exc.code, exc.get_headers(), exc.get_body()
        return AWSResponse(request.url, status, headers, MockRawResponse(body))


def _moto_handler(service: str) -> Callable[..., Any] | None:
    """moto's one handler of every path of ``service``; None if that changed."""
    try:
        module = importlib.import_module(f"moto.{service}.urls")
        handlers = set(module.url_paths.values())
    except (ImportError, AttributeError):
        return None
    if len(handlers) != 1:
        log.warning("moto's %s routes changed; its requests go over HTTP", service)
        return None
    return handlers.pop()


class Emulator:
    """moto's ThreadedMotoServer on 127.0.0.1; ``url`` once started."""

    def __init__(self, port: int = 0, in_process: bool = True) -> None:
        self.port = port
        self.url: str | None = None
        self._server: Any = None
        #: this process's clients of the emulator skip HTTP (``InProcess``)
        self.in_process = in_process
        self._direct: InProcess | None = None

    def start(self) -> str:
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
        tune_moto()
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        server.start()
        self._server = server
        host, port = server.get_host_and_port()
        self.port = port
        self.url = f"http://{host}:{port}"
        if self.in_process:
            from sirocco import botohooks

            self._direct = InProcess(self.url)
            botohooks.add(self._hook_name, self._direct.attach)
        return self.url

    @property
    def _hook_name(self) -> str:
        return f"emulator-{self.port}"

    def reset(self) -> None:
        """Forget every resource. moto's state belongs to the process, not to one
        server: emulators started in one process (tests) share it."""
        assert self.url is not None
        urllib.request.urlopen(urllib.request.Request(f"{self.url}/moto-api/reset", method="POST"),
                               timeout=10).read()

    def stop(self) -> None:
        direct, self._direct = self._direct, None
        if direct is not None:
            from sirocco import botohooks

            botohooks.remove(self._hook_name)
            direct.close()
        server, self._server = self._server, None
        if server is None:
            return
        server.stop()  # shuts serve_forever down and joins its thread
        inner = getattr(server, "_server", None)
        if inner is not None:
            inner.server_close()  # frees the port
