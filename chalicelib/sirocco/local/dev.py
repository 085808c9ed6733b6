"""`sirocco dev`: the whole service on one machine, on 127.0.0.1.

``DevStack.start()``:

1. starts the embedded AWS emulator (moto's server, in this process, on a free
   loopback port) and points this process at it: ``AWS_ENDPOINT_URL`` and dummy
   credentials. With ``endpoint`` it uses that endpoint instead (LocalStack or
   any AWS-compatible one); with ``aws`` it talks to AWS with the standard
   credential chain;
2. creates what infra/resources.yaml defines (tables, queues and their
   dead-letter queues, payload bucket, schedule group) if missing, with the
   names the template gives for ``prefix``, and checks them against the template;
3. sets the environment a Lambda of the stack would get (the template's
   variables over .chalice/config.json's), then imports the Chalice app
   (``app.py``), the same object Lambda runs;
4. serves the app's routes on ``host:port`` with Chalice's local server;
5. starts one poller per ``@app.on_sqs_message`` handler (Lambda's event shape,
   batch size, partial batch responses; see devpollers.py) and the scheduler
   loop that fires due schedules (devscheduler.py; not on AWS, which fires them).

Time: the handlers' runtime and the scheduler loop read ``DevStack.clock``, wall
time plus an offset (``clock_offset``, ``SIROCCO_DEV_CLOCK_OFFSET``) that
``advance_clock(seconds)`` and the loopback route ``POST /_dev/clock``
(``{"advance": seconds}``) move forward, so that a long wait or a cron trigger
comes due without waiting for it (docs/scheduler.md).

Faults (``faults``, `sirocco dev --faults duplicate=1.0,crash=0.05`, faults.py):
the pollers duplicate, lose and crash as told, every AWS client the app makes
gets throttles and timeouts, failed messages come back after 2 s (unless
``retry_delay`` says otherwise) and get 50 receives before their DLQ, the sweeper
runs every minute and looks at executions quiet for 30 s, and, with ``lost``,
actions time out after 60 s by default (each unless the shell sets it).

``stop()`` stops receiving, gives running batches a few seconds, stops the
scheduler, the API server and the emulator, joins every thread it started,
frees the ports and restores the environment.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from sirocco.actions.function_catalog import ENV_VARIABLE, discover

from sirocco.metering import meter

from . import devmeter
from .devemulator import Emulator
from .faults import FaultSpec, Faults
from .faults import install as install_faults
from .faults import uninstall as uninstall_faults
from .devpollers import Boto3Transport, MotoTransport, QueuePoller, QueueRef
from .devresources import Clients, Provisioned, ensure, verify
from .devscheduler import DevClock, SchedulerLoop
from .devtemplate import DEFAULT_ACCOUNT, LocalPlan, default_template_path, load_template
from .stacktemplate import TARGETS_VARIABLE, build, parse_targets

log = logging.getLogger("sirocco.dev")

#: credentials for the embedded emulator (it accepts any)
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                     "AWS_SESSION_TOKEN": "testing"}
#: variables that would send requests somewhere other than the chosen endpoint
_ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL_S3",
                       "AWS_ENDPOINT_URL_SCHEDULER", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_LAMBDA",
                       "AWS_ENDPOINT_URL_EVENTBRIDGE")


class DevError(RuntimeError):
    """`sirocco dev` cannot start (message for the user)."""


@dataclass
class DevOptions:
    host: str = "127.0.0.1"
    port: int = 8989
    #: an AWS-compatible endpoint (LocalStack ...) instead of the embedded emulator
    endpoint: str | None = None
    #: AWS itself (standard credential chain, no endpoint)
    aws: bool = False
    prefix: str = "sirocco"
    region: str | None = None
    template: str | None = None
    #: where app.py and .chalice/ are (default: the checkout this package runs from, else cwd)
    app_dir: str | None = None
    stage: str = "dev"
    #: batches of one queue handled at once (Lambda's concurrency per event source)
    concurrency: int = 4
    #: seconds running batches get to finish when stopping
    grace: float = 5.0
    #: the embedded emulator's port (0: a free one)
    emulator_port: int = 0
    #: seconds before a failed message is retried (None: the queue's visibility timeout, as AWS)
    retry_delay: int | None = None
    #: seconds the clock starts ahead of wall time (None: ``SIROCCO_DEV_CLOCK_OFFSET``, else 0)
    clock_offset: float | None = None
    #: fault injection, ``duplicate=1.0,crash=0.05,...`` (faults.py); None or "": none
    faults: str | None = None
    #: require a token on every request (api/auth.py); without it a request with none acts
    #: for the default project, as Mistral with authentication disabled
    auth: bool = False


#: settings of the handlers the shell's environment sets over the template's
TUNABLES = ("SIROCCO_MAX_RECEIVE_COUNT", "SIROCCO_SWEEP_QUIET", "SIROCCO_DEFAULT_ACTION_TIMEOUT")
#: what `--faults` changes unless the shell sets it (a client's suite must not wait for long)
FAULT_SETTINGS = {"SIROCCO_MAX_RECEIVE_COUNT": "50", "SIROCCO_SWEEP_QUIET": "30"}
#: with ``lost``: a lost worker's task ends by this default action timeout
LOST_ACTION_TIMEOUT = "60"
#: seconds before a failed message comes back, with faults
FAULT_RETRY_DELAY = 2
#: the sweeper's schedule (infra/resources.yaml SweeperSchedule), and with faults
SWEEP_RATE, FAULT_SWEEP_RATE = "rate(5 minutes)", "rate(1 minute)"


def default_app_dir() -> Path:
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "app.py").is_file() and (parent / "chalicelib").is_dir():
            return parent
    return Path.cwd()


def load_app(app_dir: Path) -> Any:
    """Import ``app_dir/app.py`` as the module ``app`` and return its ``app``."""
    path = app_dir / "app.py"
    if not path.is_file():
        raise DevError(f"no Chalice app at {path} (use --app-dir)")
    if str(app_dir) not in sys.path:
        sys.path.insert(0, str(app_dir))
    spec = importlib.util.spec_from_file_location("app", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["app"] = module
    spec.loader.exec_module(module)
    app = getattr(module, "app", None)
    if app is None:
        raise DevError(f"{path} defines no `app`")
    return app


def chalice_config(app_dir: Path) -> dict[str, Any]:
    path = app_dir / ".chalice" / "config.json"
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


@dataclass
class DevStack:
    options: DevOptions = field(default_factory=DevOptions)
    #: a Chalice app object to serve instead of importing app.py (tests)
    app: Any = None

    def __post_init__(self) -> None:
        self.endpoint_url: str | None = None
        self.api_url: str | None = None
        self.plan: LocalPlan | None = None
        self.provisioned: Provisioned | None = None
        self.problems: list[str] = []
        self.pollers: list[QueuePoller] = []
        self.scheduler: SchedulerLoop | None = None
        offset = self.options.clock_offset
        if offset is None:
            offset = float(os.environ.get("SIROCCO_DEV_CLOCK_OFFSET") or 0)
        #: the handlers' and the scheduler loop's clock (``advance_clock`` moves it)
        self.clock = DevClock(offset)
        self.startup_seconds: float | None = None
        self._emulator: Any = None
        self._http: Any = None
        self._http_thread: threading.Thread | None = None
        self._saved_env: dict[str, str | None] = {}
        self._started = False
        #: app.py was imported here (not a given app): its handlers' runtime is ours to reset
        self._own_app = self.app is None
        self._own_api_url = True
        spec = FaultSpec.parse(self.options.faults)
        #: the faults injected (None without ``--faults``); ``faults.injected`` counts them
        self.faults: Faults | None = Faults(spec) if spec.active else None
        #: every AWS request is metered per execution (docs/cost.md) unless SIROCCO_METER=0
        self.metering = meter.wanted(default=True)

    # ------------------------------------------------------------------ start

    def start(self) -> "DevStack":
        began = time.perf_counter()
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.perf_counter() - began
        return self

    def _start(self) -> None:
        opts = self.options
        if opts.aws and opts.endpoint:
            raise DevError("--aws and --endpoint exclude each other")
        region = opts.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        self._set_env({"AWS_REGION": region, "AWS_DEFAULT_REGION": region})
        self._set_env({name: None for name in _ENDPOINT_VARIABLES})
        account = DEFAULT_ACCOUNT
        if opts.aws:
            self._set_env({"AWS_ENDPOINT_URL": None})
            account = self._account(None, required=True)
        elif opts.endpoint:
            self.endpoint_url = opts.endpoint.rstrip("/")
            self._set_env({"AWS_ENDPOINT_URL": self.endpoint_url})
            if not os.environ.get("AWS_ACCESS_KEY_ID") and not os.environ.get("AWS_PROFILE"):
                self._set_env(DUMMY_CREDENTIALS)
            account = self._account(self.endpoint_url, required=False) or "000000000000"
        else:
            self._set_env({**DUMMY_CREDENTIALS, "AWS_PROFILE": None})
            self.endpoint_url = self._start_emulator()
            self._set_env({"AWS_ENDPOINT_URL": self.endpoint_url})

        template_path = Path(opts.template) if opts.template else default_template_path()
        if not template_path.is_file():
            raise DevError(f"no template at {template_path} (use --template)")
        app_dir = Path(opts.app_dir).resolve() if opts.app_dir else default_app_dir()
        disk_config = chalice_config(app_dir)
        chalice_env = self._chalice_env(disk_config)
        functions_dir = app_dir / "functions"
        try:  # the deployed template: executor targets and action functions added (stacktemplate.py)
            targets = parse_targets(os.environ.get(TARGETS_VARIABLE, chalice_env.get(TARGETS_VARIABLE, "")))
            template = build(load_template(template_path), targets=targets, functions=discover(functions_dir),
                             functions_dir=functions_dir)
        except ValueError as exc:
            raise DevError(str(exc)) from None
        self.plan = LocalPlan.from_template(template, parameters={"Prefix": opts.prefix},
                                            account=account, region=region)
        clients = Clients.create(region=region, endpoint_url=self.endpoint_url)
        try:
            self.provisioned = ensure(self.plan, clients)
            self.problems = verify(self.plan, clients)
        except (BotoCoreError, ClientError) as exc:
            where = self.endpoint_url or f"AWS ({region})"
            raise DevError(f"cannot create the resources of {template_path.name} at {where}: {exc}") from None
        for problem in self.problems:
            log.warning("differs from %s: %s", template_path.name, problem)

        # .chalice/config.json's variables unless the shell sets them (SIROCCO_LOG_LEVEL=DEBUG
        # sirocco dev), then the template's resource names, which must be the ones just made
        env = {k: v for k, v in chalice_env.items() if k not in os.environ}
        env.update(self.plan.environment)
        env.update(self._tuning())
        # the emulator runs no Lambda: action functions run in this process, from functions/
        if self.plan.environment.get(ENV_VARIABLE) and "SIROCCO_FUNCTIONS_DIR" not in os.environ:
            env["SIROCCO_FUNCTIONS_DIR"] = str(functions_dir)
        # --aws makes no IAM role for EventBridge Scheduler to assume: unless the shell names one
        # (SIROCCO_SCHEDULER_ROLE_ARN), long delays hop through the timer queue and cron triggers do not fire
        if opts.aws and not os.environ.get("SIROCCO_SCHEDULER_ROLE_ARN"):
            env["SIROCCO_SCHEDULER_ROLE_ARN"] = ""
            log.warning("--aws: no SIROCCO_SCHEDULER_ROLE_ARN; long delays use SQS only, cron triggers do not fire")
        self.api_url = f"http://{opts.host}:{opts.port}"
        self._own_api_url = "SIROCCO_API_URL" not in os.environ
        if self._own_api_url:
            env["SIROCCO_API_URL"] = f"{self.api_url}/v2"
        self._set_env(env)
        # std.http may call services on this machine (the service refuses loopback by default)
        if "SIROCCO_HTTP_DENIED_CIDRS" not in os.environ:
            self._set_env({"SIROCCO_HTTP_DENIED_CIDRS": ""})
        self._set_env({"SIROCCO_AUTH": "required" if opts.auth else "optional"})
        if self.faults is not None:  # before the app makes its clients
            install_faults()
            self.faults.activate()
            if opts.retry_delay is None:
                opts.retry_delay = FAULT_RETRY_DELAY
            self._more_receives(clients)
        if self.metering:  # before the app makes its clients, as faults
            devmeter.start(self.plan.account, region, emulator=self._emulator is not None)
        if self._own_app:
            _reset_runtime()

        app = self.app if self.app is not None else load_app(app_dir)
        self.app = app
        if self._own_app and self.clock.offset:  # else on the first advance: building the runtime costs ~0.4 s
            _use_clock(self.clock)
        _add_clock_route(app, self)
        self._start_http(app, app_dir, disk_config)
        self._start_pollers(app, disk_config, region, clients)
        if not opts.aws and self.plan.schedule_groups:
            self.scheduler = SchedulerLoop(self.plan.schedule_groups[0].name, clients.scheduler,
                                           Clients.create(region=region, endpoint_url=self.endpoint_url).sqs,
                                           clock=self.clock)
            self._ensure_sweeper(clients)
            self.scheduler.start()
        self._started = True

    def _tuning(self) -> dict[str, str]:
        """Settings of the handlers a user may tune: the shell's values win over the
        template's, and ``--faults`` changes some unless the shell sets them."""
        wanted = dict(FAULT_SETTINGS) if self.faults is not None else {}
        if self.faults is not None and self.faults.spec.lost > 0:
            wanted["SIROCCO_DEFAULT_ACTION_TIMEOUT"] = LOST_ACTION_TIMEOUT
        wanted.update({k: os.environ[k] for k in TUNABLES if k in os.environ})
        return wanted

    def _more_receives(self, clients: Clients) -> None:
        """With faults, a message gets ``SIROCCO_MAX_RECEIVE_COUNT`` receives before SQS
        moves it to its DLQ, as the handlers are told (injected crashes are not poison)."""
        assert self.plan is not None and self.provisioned is not None
        receives = os.environ.get("SIROCCO_MAX_RECEIVE_COUNT", FAULT_SETTINGS["SIROCCO_MAX_RECEIVE_COUNT"])
        for queue in self.plan.queues:
            policy = queue.attributes.get("RedrivePolicy")
            if not policy or queue.name not in self.provisioned.queue_urls:
                continue
            changed = dict(json.loads(policy), maxReceiveCount=int(receives))
            clients.sqs.set_queue_attributes(QueueUrl=self.provisioned.queue_urls[queue.name],
                                             Attributes={"RedrivePolicy": json.dumps(changed)})

    def _ensure_sweeper(self, clients: Clients) -> None:
        """The sweeper's schedule (infra/resources.yaml ``SweeperSchedule``), which the
        scheduler loop then fires to the timer queue."""
        from sirocco.handlers.sweeper import sweep_body

        assert self.plan is not None and self.provisioned is not None
        timer = os.environ.get("SIROCCO_TIMER_QUEUE", "")
        if timer not in self.provisioned.queue_arns:
            return
        group = self.plan.schedule_groups[0].name
        args = {"Name": f"{self.options.prefix}-sweeper", "GroupName": group,
                "ScheduleExpression": FAULT_SWEEP_RATE if self.faults is not None else SWEEP_RATE,
                "FlexibleTimeWindow": {"Mode": "OFF"},
                "Target": {"Arn": self.provisioned.queue_arns[timer], "Input": sweep_body(),
                           "RoleArn": f"arn:aws:iam::{self.plan.account}:role/{self.options.prefix}-scheduler"}}
        try:
            clients.scheduler.create_schedule(**args)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConflictException":
                log.warning("could not create the sweeper's schedule: %s", exc)

    def _set_env(self, values: dict[str, str | None]) -> None:
        for name, value in values.items():
            if name not in self._saved_env:
                self._saved_env[name] = os.environ.get(name)
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    def _account(self, endpoint: str | None, *, required: bool) -> str | None:
        import boto3

        try:
            return boto3.client("sts", endpoint_url=endpoint).get_caller_identity()["Account"]
        except Exception as exc:  # noqa: BLE001
            if required:
                raise DevError(f"cannot reach AWS with the current credentials: {exc}") from None
            return None

    def _chalice_env(self, disk_config: dict[str, Any]) -> dict[str, str]:
        if not disk_config:
            return {}
        from chalice.config import Config

        return dict(Config(chalice_stage=self.options.stage, config_from_disk=disk_config).environment_variables)

    def _start_emulator(self) -> str:
        emulator = Emulator(self.options.emulator_port)
        try:
            url = emulator.start()
        except OSError as exc:
            raise DevError(f"cannot start the emulator on port {self.options.emulator_port}: {exc}") from None
        self._emulator = emulator
        return url

    def _start_http(self, app: Any, app_dir: Path, disk_config: dict[str, Any]) -> None:
        from chalice.config import Config
        from chalice.local import LocalChalice, LocalDevServer, create_local_server

        config = Config(chalice_stage=self.options.stage, config_from_disk=disk_config,
                        user_provided_params={"chalice_app": app, "project_dir": str(app_dir)})
        try:
            if isinstance(app, LocalChalice):  # served before in this process (tests)
                server = LocalDevServer(app, config, self.options.host, self.options.port)
            else:
                server = create_local_server(app, config, self.options.host, self.options.port)
        except OSError as exc:
            raise DevError(f"cannot serve on {self.options.host}:{self.options.port}: {exc} "
                           "(another `sirocco dev`? use --port)") from None
        server.server.RequestHandlerClass = _without_nagle(server.server.RequestHandlerClass)
        self._http = server
        actual_port = server.server.server_address[1]
        self.api_url = f"http://{self.options.host}:{actual_port}"
        if actual_port != self.options.port and self._own_api_url:  # --port 0
            os.environ["SIROCCO_API_URL"] = f"{self.api_url}/v2"
        self._http_thread = threading.Thread(target=server.server.serve_forever, name="api", daemon=True)
        self._http_thread.start()

    def _start_pollers(self, app: Any, disk_config: dict[str, Any], region: str, clients: Clients) -> None:
        assert self.plan is not None and self.provisioned is not None
        if self.endpoint_url is not None and self._emulator is not None:
            transport: Any = MotoTransport(self.plan.account, region)
        else:
            transport = Boto3Transport(clients.sqs, region)
        from chalice.config import Config

        from chalice.utils import to_cfn_resource_name

        def poll(source: Any, name: str, batch_size: int, max_concurrency: int | None) -> None:
            queue = self.plan.queue_named(name) if self.plan is not None else None
            if queue is None or self.provisioned is None:
                raise DevError(f"the app's handler {source.name!r} listens on queue {name!r}, "
                               f"which infra/resources.yaml does not define")
            ref = QueueRef(name=name, url=self.provisioned.queue_urls[name],
                           arn=self.provisioned.queue_arns[name], fifo=queue.fifo,
                           visibility_timeout=queue.visibility_timeout)
            function_config = Config(chalice_stage=self.options.stage, function_name=source.name,
                                     config_from_disk=disk_config)
            timeout = (function_config.lambda_timeout if disk_config else None) or 60
            concurrency = self.options.concurrency
            if max_concurrency:
                concurrency = min(concurrency, max_concurrency)
            poller = QueuePoller(
                ref, app.handler_map[source.name], transport,
                function_name=f"{getattr(app, 'app_name', 'app')}-{self.options.stage}-{source.name}",
                batch_size=batch_size,
                batching_window=float(getattr(source, "maximum_batching_window_in_seconds", 0) or 0),
                concurrency=concurrency, timeout_seconds=int(timeout), retry_delay=self.options.retry_delay,
                faults=self.faults, role=source.name)
            self.pollers.append(poller.start())

        sqs_sources = [s for s in getattr(app, "event_sources", []) if hasattr(s, "batch_size")
                       and (getattr(s, "queue", None) or getattr(s, "queue_arn", None))]
        for source in sqs_sources:
            poll(source, source.queue or source.queue_arn.rsplit(":", 1)[-1], source.batch_size,
                 getattr(source, "maximum_concurrency", None))
        # the queues the template adds to a handler's function (executor targets), as Lambda would
        by_function = {to_cfn_resource_name(s.name): s for s in sqs_sources}
        for extra in self.plan.event_sources:
            if extra.function in by_function:
                poll(by_function[extra.function], extra.queue, extra.batch_size, extra.max_concurrency)

    # ------------------------------------------------------------------ state

    def advance_clock(self, seconds: float) -> float:
        """Move the clock ``seconds`` forward and fire what comes due; the new time.
        The scheduler reads the schedules first, so that recurring ones made just
        before the jump count from before it."""
        if self._own_app:
            _use_clock(self.clock)
        if self.scheduler is not None:
            self.scheduler.observe()
        self.clock.advance(seconds)
        if self.scheduler is not None:
            self.scheduler.wake()
        return self.clock()

    def stats(self) -> dict[str, Any]:
        return {p.queue.name: p.stats.as_dict() for p in self.pollers}

    def banner(self) -> str:
        assert self.plan is not None
        where = (f"embedded emulator {self.endpoint_url}" if self._emulator is not None
                 else f"endpoint {self.endpoint_url}" if self.endpoint_url else f"AWS account {self.plan.account}")
        lines = [f"sirocco dev: API {self.api_url}/v2 ({where}, region {self.plan.region})"]
        lines.append("  tables: " + ", ".join(t.name for t in self.plan.tables))
        lines.append("  queues: " + ", ".join(q.name for q in self.plan.queues))
        lines.append("  bucket: " + ", ".join(b.name for b in self.plan.buckets)
                     + "; schedule group: " + ", ".join(g.name for g in self.plan.schedule_groups))
        lines.append("  pollers: " + ", ".join(f"{p.queue.name} -> {p.function_name} (batch {p.batch_size})"
                                               for p in self.pollers))
        if self.faults is not None:
            lines.append(f"  faults: {self.faults.spec} (failed messages retried after {self.options.retry_delay} s)")
        lines.append("  auth: " + ("a token is required (SIROCCO_API_KEYS)" if self.options.auth
                                   else "off: requests without a token act for the default project"))
        if self.startup_seconds is not None:
            lines.append(f"  ready in {self.startup_seconds:.2f} s; Ctrl-C stops")
        return "\n".join(lines)

    # ------------------------------------------------------------------ stop

    def stop(self) -> None:
        """Stop everything this stack started (idempotent)."""
        for poller in self.pollers:
            poller.request_stop()
        deadline = time.monotonic() + self.options.grace
        for poller in self.pollers:
            poller.stop(timeout=max(0.1, deadline - time.monotonic()))
        self.pollers = []
        if self.scheduler is not None:
            self.scheduler.stop()
            self.scheduler = None
        if self._http is not None:
            self._http.server.shutdown()
            self._http.server.server_close()
            self._http = None
        if self._http_thread is not None:
            self._http_thread.join(5)
            self._http_thread = None
        if self._emulator is not None:
            self._emulator.stop()
            self._emulator = None
        if self.faults is not None:
            self.faults.deactivate()
            uninstall_faults()
        if self.metering:
            devmeter.stop()
        if self._own_app and self._started:
            _reset_runtime()
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env = {}
        self._started = False

    def __enter__(self) -> "DevStack":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def _use_clock(clock: DevClock) -> None:
    """Give the handlers' process-wide runtime the stack's clock."""
    try:
        from sirocco.handlers.runtime import get_runtime
    except ImportError:
        return
    get_runtime().clock = clock


def _without_nagle(handler: Any) -> Any:
    """Chalice's request handler with TCP_NODELAY: it writes a response's headers and
    its body in two sends, and a client that keeps the connection open (requests, so
    python-mistralclient) got the body only after its delayed ACK of the headers,
    ~40 ms later on Linux; every call took 40 ms more than its work."""
    import functools

    base = handler.func if isinstance(handler, functools.partial) else handler
    quick = type("NoDelay" + base.__name__, (base,), {"disable_nagle_algorithm": True})
    if isinstance(handler, functools.partial):
        return functools.partial(quick, *handler.args, **handler.keywords)
    return quick


_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _add_clock_route(app: Any, stack: "DevStack") -> None:
    """``GET /_dev/clock`` answers the stack's time and offset; ``POST`` with
    ``{"advance": seconds}`` moves it forward. Served only on a loopback address
    (the route exists in this process only, never in a deployed app)."""
    app.sirocco_dev_stack = stack
    if stack.options.host not in _LOOPBACK or "/_dev/clock" in getattr(app, "routes", {}):
        return
    from chalice import Response

    @app.route("/_dev/clock", methods=["GET", "POST"])
    def dev_clock() -> Any:
        current: DevStack = app.sirocco_dev_stack
        request = app.current_request
        if request.method == "POST":
            body = request.json_body or {}
            try:
                seconds = float(body.get("advance", 0))
                current.advance_clock(seconds)
            except (TypeError, ValueError) as exc:
                return Response({"error": f"advance: {exc}"}, status_code=400)
        now = current.clock()
        return {"now": now, "offset": current.clock.offset,
                "utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))}


def _reset_runtime() -> None:
    """Forget the handlers' process-wide runtime, so the next call builds one from
    the environment just set (the app's own modules; absent in a stand-in app)."""
    try:
        from sirocco.handlers.runtime import set_runtime
    except ImportError:
        return
    set_runtime(None)
    from sirocco import eventbridge

    eventbridge.reset()  # its bus and rule names come from the environment too
