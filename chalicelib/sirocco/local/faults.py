"""Fault injection: AWS and Lambda at their worst, on purpose, for `sirocco dev
--faults` and the tests.

``FaultSpec.parse("duplicate=1.0,crash=0.05,lost=0.01,throttle=0.02")`` reads the
switch; ``Faults(spec)`` makes the random decisions (seeded with ``seed=N``) and
counts what it injected. Kinds, each a probability:

``duplicate`` (per message)
    the message is handed to its handler a second time after the first delivery:
    at once, or (standard queues) later, among other messages, so duplicates also
    arrive out of order across message groups; a FIFO group's copy follows its
    original before the group's next batch (one writer per execution);
``crash`` (per handler invocation)
    the handler dies at a random point between its AWS calls: right after one of
    them, or after the last one, before its batch is acknowledged (``InjectedCrash``,
    a BaseException that no ``except Exception`` of the code swallows, as a Lambda
    that stops); the batch comes back after the (locally shortened) visibility timeout;
``lost`` (per executor message)
    a worker takes the action and never answers: the message is acknowledged, the
    action is not run and no result is sent; only a timeout ends the task;
``throttle`` (per DynamoDB or SQS call)
    AWS answers with its throttling error (ProvisionedThroughputExceededException,
    ThrottlingException); botocore's retry mode retries it;
``timeout`` (per DynamoDB or SQS call)
    the call times out (ReadTimeoutError); half of the time after AWS applied it, so
    the retry repeats a request that already happened;
``slow`` (per DynamoDB or SQS call)
    the call waits up to ``SLOW_SECONDS`` first.

AWS faults go through botocore's event system (``before-send`` answers or raises
instead of sending; ``after-call`` crashes) of the clients given to ``attach``, or of
every client made after ``install``, while a ``Faults`` is ``activate``d. Crashes
happen only inside an ``invocation`` (a handler call of a poller or of a test
harness, and threads that copy its context), never in API requests.
"""

from __future__ import annotations

import contextvars
import json
import random
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import Any, Iterator, Sequence, TypeVar

KINDS = ("duplicate", "crash", "lost", "throttle", "timeout", "slow")
#: a doomed invocation dies after each AWS call with this probability (else after its last)
CRASH_POINT = 0.3
#: longest extra wait of a ``slow`` call
SLOW_SECONDS = 0.5
#: services whose calls get throttles, timeouts and slowness
AWS_SERVICES = ("dynamodb", "sqs")

T = TypeVar("T")


class InjectedCrash(BaseException):
    """A handler dying on purpose. A BaseException, so that the handlers' own
    ``except Exception`` (which turns a failure into a retried message) does not
    catch it: the whole invocation fails, as when a Lambda stops."""


@dataclass(frozen=True)
class FaultSpec:
    duplicate: float = 0.0
    crash: float = 0.0
    lost: float = 0.0
    throttle: float = 0.0
    timeout: float = 0.0
    slow: float = 0.0
    seed: int | None = None

    @classmethod
    def parse(cls, text: str | None) -> "FaultSpec":
        """``name=probability,...`` (and ``seed=N``); empty: no faults."""
        values: dict[str, Any] = {}
        for part in (text or "").split(","):
            part = part.strip()
            if not part:
                continue
            name, sep, raw = part.partition("=")
            name = name.strip()
            if not sep:
                raise ValueError(f"fault {part!r}: expected name=probability")
            if name == "seed":
                try:
                    values["seed"] = int(raw)
                except ValueError:
                    raise ValueError(f"seed={raw!r}: not an integer") from None
                continue
            if name not in KINDS:
                raise ValueError(f"unknown fault {name!r}; known: {', '.join(KINDS)}, seed")
            try:
                p = float(raw)
            except ValueError:
                raise ValueError(f"{name}={raw!r}: not a number") from None
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"{name}={raw}: a probability is between 0 and 1")
            values[name] = p
        return cls(**values)

    @property
    def active(self) -> bool:
        return any(getattr(self, kind) > 0 for kind in KINDS)

    def __str__(self) -> str:
        parts = [f"{f.name}={getattr(self, f.name):g}" for f in fields(self)
                 if f.name in KINDS and getattr(self, f.name) > 0]
        if self.seed is not None:
            parts.append(f"seed={self.seed}")
        return ",".join(parts) or "none"


@dataclass
class _Invocation:
    role: str
    doomed: bool  # this invocation is to crash


_invocation: contextvars.ContextVar[_Invocation | None] = contextvars.ContextVar("sirocco_fault_invocation",
                                                                                default=None)


class Faults:
    """Random decisions of one ``FaultSpec`` and the count of each fault injected."""

    def __init__(self, spec: FaultSpec, rng: random.Random | None = None) -> None:
        self.spec = spec
        self._rng = rng or random.Random(spec.seed)
        self._lock = threading.Lock()
        self.injected: Counter[str] = Counter()
        self._http: Any = None

    # -- decisions

    def chance(self, kind: str) -> bool:
        """True with the spec's probability of ``kind`` (then counted)."""
        p = getattr(self.spec, kind)
        if p <= 0:
            return False
        with self._lock:
            hit = p >= 1 or self._rng.random() < p
            if hit:
                self.injected[kind] += 1
        return hit

    def pick(self, kind: str, items: Sequence[T]) -> list[T]:
        """The items hit by ``kind``, each with its probability."""
        return [item for item in items if self.chance(kind)]

    def coin(self) -> bool:
        with self._lock:
            return self._rng.random() < 0.5

    def split_lost(self, records: Sequence[T]) -> tuple[list[T], list[T]]:
        """(kept, lost) executor records: the lost ones are taken and never answered."""
        lost = self.pick("lost", records)
        gone = {id(r) for r in lost}
        return [r for r in records if id(r) not in gone], lost

    # -- invocations

    @contextmanager
    def invocation(self, role: str) -> Iterator[None]:
        """A handler call, which crashes with the ``crash`` probability: after one of
        the AWS calls made inside it (threads that copy its context included), or
        after its last one."""
        state = _Invocation(role, self.chance("crash"))
        token = _invocation.set(state)
        try:
            yield
            if state.doomed:
                raise InjectedCrash(f"injected crash: {role} handler, after its last call")
        finally:
            _invocation.reset(token)

    # -- botocore

    def activate(self) -> "Faults":
        """Make these the faults the attached clients suffer (one set at a time)."""
        global _current
        _current = self
        return self

    def deactivate(self) -> None:
        global _current
        if _current is self:
            _current = None

    def before_send(self, request: Any, service: str) -> Any:
        if self.chance("slow"):
            with self._lock:
                wait = self._rng.random() * SLOW_SECONDS
            time.sleep(wait)
        if self.chance("throttle"):
            return _throttled(request, service)
        if self.chance("timeout"):
            from botocore.exceptions import ReadTimeoutError

            if self.coin():  # AWS did it; only the answer is lost
                self._send(request)
            raise ReadTimeoutError(endpoint_url=request.url)
        return None

    def _send(self, request: Any) -> None:
        from botocore.httpsession import URLLib3Session

        if self._http is None:
            self._http = URLLib3Session()
        self._http.send(request)

    def after_call(self, operation: str) -> None:
        state = _invocation.get()
        if state is None or not state.doomed:
            return
        with self._lock:
            now = self._rng.random() < CRASH_POINT
        if now:
            state.doomed = False  # it dies once
            raise InjectedCrash(f"injected crash: {state.role} handler, after {operation}")


_current: Faults | None = None


def attach(client: Any) -> Any:
    """Let the active ``Faults`` reach one botocore client (idempotent); returns it."""
    events = client.meta.events
    for service in AWS_SERVICES:
        events.register_first(f"before-send.{service}", _before_send, unique_id=f"sirocco-faults-{service}")
    events.register("after-call", _after_call, unique_id="sirocco-faults-crash")
    return client


def detach(client: Any) -> Any:
    """Keep one client out of reach of the faults (a test's own event source); returns it."""
    events = client.meta.events
    for service in AWS_SERVICES:
        events.unregister(f"before-send.{service}", unique_id=f"sirocco-faults-{service}")
    events.unregister("after-call", unique_id="sirocco-faults-crash")
    return client


def install() -> None:
    """Attach every botocore client made from now on in this process (boto3's and
    PynamoDB's), until ``uninstall``."""
    from sirocco import botohooks

    botohooks.add("faults", attach)


def uninstall() -> None:
    from sirocco import botohooks

    botohooks.remove("faults")


def _before_send(request: Any, event_name: str = "", **_: Any) -> Any:
    faults = _current
    if faults is None:
        return None
    return faults.before_send(request, event_name.split(".")[1] if "." in event_name else "")


def _after_call(event_name: str = "", **_: Any) -> None:
    faults = _current
    if faults is not None:
        faults.after_call(event_name.split(".", 1)[-1])


def in_invocation() -> str | None:
    """The role of the handler invocation this code runs in, if any."""
    state = _invocation.get()
    return None if state is None else state.role


class _Body:
    """What botocore reads a response body from."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


def _throttled(request: Any, service: str) -> Any:
    """AWS's throttling answer for ``service`` (the JSON protocols of DynamoDB and SQS)."""
    from botocore.awsrequest import AWSResponse

    if service == "dynamodb":
        code, kind = "ProvisionedThroughputExceededException", "com.amazonaws.dynamodb.v20120810"
    else:
        code, kind = "ThrottlingException", "com.amazonaws.sqs"
    body = json.dumps({"__type": f"{kind}#{code}", "message": "Rate exceeded (injected by sirocco faults)"})
    headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "sirocco-faults",
               "x-amzn-query-error": f"{code};Sender"}
    return AWSResponse(request.url, 400, headers, _Body(body.encode("utf-8")))
