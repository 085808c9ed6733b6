"""The `sirocco` command."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from . import __version__
from .language import Document, ValidationFailed, parse_document


def _summary(document: Document) -> str:
    parts = []
    if document.workbook is not None:
        parts.append(f"workbook {document.workbook.name}")
    if document.workflows:
        parts.append("workflows: " + ", ".join(
            f"{wf.name} ({wf.type}, {len(wf.tasks)} tasks)" for wf in document.workflows))
    if document.actions:
        parts.append("actions: " + ", ".join(action.name for action in document.actions))
    return "; ".join(parts) or "nothing defined"


def validate(paths: Sequence[str]) -> int:
    """Print every error of every file with its location; 1 if any file has one."""
    failed = False
    for path in paths:
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            print(f"{path}: cannot read: {exc}")
            failed = True
            continue
        try:
            document = parse_document(text)
        except ValidationFailed as exc:
            failed = True
            count = len(exc.errors)
            print(f"{path}: {count} error{'s' if count != 1 else ''}")
            for error in exc.errors:
                print(f"  {path}: {error}")
            continue
        print(f"{path}: valid; {_summary(document)}")
    return 1 if failed else 0


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("must be a JSON object")
    return value


def _short(value: Any, width: int = 60) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= width else text[: width - 3] + "..."


def _print_table(report: dict[str, Any]) -> None:
    rows = [("TASK", "STATE", "PUBLISHED", "STATE INFO")]
    rows += [(t["name"], t["state"], _short(t["published"]) if t["published"] else "",
              " ".join((t["state_info"] or "").split())[:80]) for t in report["tasks"]]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3])
    print()
    print(f"state: {report['state']}")
    if report["state_info"]:
        print(f"state_info: {report['state_info']}")
    print("output: " + json.dumps(report["output"], indent=2, sort_keys=True, default=str))


def run(path: str, workflow: str, input: dict[str, Any], params: dict[str, Any], as_json: bool) -> int:
    """Run a workflow in this process; 0 once it reached a terminal state, whatever that state."""
    from .engine import StartRefused  # the engine is only needed here
    from .local.inprocess import run_workflow

    # std.http refuses loopback and link-local addresses to protect a Lambda's
    # network; on the user's own machine a workflow may call local services.
    os.environ.setdefault("SIROCCO_HTTP_DENIED_CIDRS", "")

    try:
        with open(path, encoding="utf-8") as handle:
            document = parse_document(handle.read())
    except (OSError, UnicodeDecodeError) as exc:
        print(f"{path}: cannot read: {exc}", file=sys.stderr)
        return 1
    except ValidationFailed as exc:
        print(f"{path}: {len(exc.errors)} error(s)\n{exc}", file=sys.stderr)
        return 1
    try:
        report = run_workflow(document, workflow, input, params)
    except StartRefused as exc:
        print(f"cannot start {workflow}: {exc}", file=sys.stderr)
        return 1
    if as_json:
        print(json.dumps(report, sort_keys=True, default=str))
    else:
        _print_table(report)
    if report["state"] in ("SUCCESS", "ERROR", "CANCELLED"):
        return 0
    print(f"{workflow} stopped in state {report['state']} with nothing left to run "
          "(paused, or waiting for an asynchronous action)", file=sys.stderr)
    return 3


def dev(args: argparse.Namespace) -> int:
    """Serve the API and deliver the queues on this machine until Ctrl-C."""
    import logging
    import signal
    import threading
    import time

    from .local.dev import DevError, DevOptions, DevStack

    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("botocore").setLevel(logging.WARNING)
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    options = DevOptions(host="127.0.0.1", port=args.port, endpoint=args.endpoint, aws=args.aws,
                         prefix=args.prefix, region=args.region, template=args.template,
                         app_dir=args.app_dir, stage=args.stage, concurrency=args.concurrency,
                         retry_delay=args.retry_delay, faults=args.faults, auth=args.auth)
    try:
        stack = DevStack(options)
    except ValueError as exc:  # a --faults the parser refused
        print(f"sirocco dev: --faults: {exc}", file=sys.stderr)
        return 2
    stopping = threading.Event()
    # Both signals stop cleanly; setting a handler also undoes the SIG_IGN that a
    # shell without job control gives SIGINT in background jobs.
    previous = {sig: signal.signal(sig, lambda *_: stopping.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    started = False
    try:
        try:
            stack.start()
        except DevError as exc:
            print(f"sirocco dev: {exc}", file=sys.stderr)
            return 1
        started = True
        print(stack.banner(), flush=True)
        while not stopping.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        began = time.perf_counter()
        stack.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if started:
            print(f"sirocco dev: stopped in {time.perf_counter() - began:.2f} s", flush=True)
            if stack.faults is not None:
                print("sirocco dev: faults injected: " + (", ".join(
                    f"{k} {v}" for k, v in sorted(stack.faults.injected.items())) or "none"), flush=True)
    return 0


def dlq(args: argparse.Namespace) -> int:
    """List or redrive the dead-letter queues of a stack (``--endpoint``: sirocco dev's emulator)."""
    from .messaging import deadletters
    from .messaging.queues import Queues
    from .messaging.settings import QueueSettings

    env = dict(os.environ)
    if args.endpoint:
        env["AWS_ENDPOINT_URL"] = args.endpoint
    settings = QueueSettings.from_env(_prefixed(env, args.prefix))
    queues = Queues(settings)
    roles = settings.queues()
    wanted = args.queue or list(roles)
    names = [roles.get(q, q) for q in wanted]
    sources = deadletters.dead_letter_queues(queues, names)
    if args.action == "list":
        letters = deadletters.listing(queues, sources, limit=args.limit)
        if args.json:
            print(json.dumps([d.as_dict() for d in letters], sort_keys=True, default=str))
            return 0
        for d in letters:
            where = f" execution {d.to}" if d.to else ""
            print(f"{d.queue}  {d.message_id}  {d.type or '?'}{where}  attempts {d.attempts or '?'}")
            print(f"    cause: {d.cause or '(moved by SQS: the handler stopped without saying why)'}")
        print(f"{len(letters)} dead letter(s) in {len(sources)} queue(s)")
        return 0
    results = deadletters.redrive(queues, sources, message_ids=args.id or None, limit=args.limit)
    if args.json:
        print(json.dumps([r.__dict__ for r in results], sort_keys=True))
        return 0
    for r in results:
        print(f"{r.queue} -> {r.source_queue}: {len(r.moved)} redriven" + (f", {len(r.kept)} kept" if r.kept else ""))
    return 0


def cost(args: argparse.Namespace) -> int:
    """Print an execution's cost report (GET /v2/executions/<id>/cost of a running API)."""
    import urllib.error
    import urllib.request

    from .metering.display import render

    url = f"{args.url.rstrip('/')}/v2/executions/{args.execution_id}/cost"
    headers = {"X-Auth-Token": args.token} if args.token else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=60) as response:
            report = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        print(f"sirocco cost: {exc.code}: {exc.read().decode('utf-8', 'replace')}", file=sys.stderr)
        return 1
    except urllib.error.URLError as exc:
        print(f"sirocco cost: cannot reach {args.url}: {exc.reason}", file=sys.stderr)
        return 1
    print(json.dumps(report, indent=2, sort_keys=True) if args.json else render(report))
    return 0


def _prefixed(env: dict[str, str], prefix: str | None) -> dict[str, str]:
    """Queue names of the stack ``prefix`` (the template's names), unless the
    environment names them."""
    if not prefix:
        return env
    names = {"SIROCCO_ENGINE_QUEUE": f"{prefix}-engine.fifo", "SIROCCO_EXECUTOR_QUEUE": f"{prefix}-executor",
             "SIROCCO_TIMER_QUEUE": f"{prefix}-timer", "SIROCCO_NOTIFIER_QUEUE": f"{prefix}-notifier.fifo",
             "SIROCCO_EVENTS_QUEUE": f"{prefix}-events"}
    return {**names, **env}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sirocco", description="Mistral workflows on serverless AWS.")
    parser.add_argument("--version", action="version", version=f"sirocco {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "validate", help="check Workflow Language v2 files (workflows, workbooks, actions)")
    check.add_argument("files", nargs="+", metavar="FILE")
    runner = commands.add_parser(
        "run", help="run a workflow in this process with the std actions (no AWS)")
    runner.add_argument("file", metavar="FILE", help="a workflow list or a workbook")
    runner.add_argument("--workflow", required=True, metavar="NAME",
                        help="workflow to run (<workbook>.<workflow> for a workbook)")
    runner.add_argument("--input", type=_json_object, default={}, metavar="JSON")
    runner.add_argument("--params", type=_json_object, default={}, metavar="JSON",
                        help='execution params, e.g. {"env": {...}, "task_name": "t"}')
    runner.add_argument("--json", action="store_true", help="print one JSON object")
    local = commands.add_parser(
        "dev", help="serve the API on 127.0.0.1 with an embedded AWS emulator, queues delivered locally",
        description="Start the embedded AWS emulator (or use --endpoint / --aws), create the resources of "
                    "infra/resources.yaml, serve the Chalice app's routes on 127.0.0.1:PORT and deliver its "
                    "SQS queues and due schedules to its handlers, until Ctrl-C.")
    local.add_argument("--port", type=int, default=8989, help="API port on 127.0.0.1 (default 8989; 0: any free)")
    where = local.add_mutually_exclusive_group()
    where.add_argument("--endpoint", metavar="URL",
                       help="an AWS-compatible endpoint (LocalStack...) instead of the embedded emulator")
    where.add_argument("--aws", action="store_true",
                       help="use AWS itself with the standard credentials (resources created if missing)")
    local.add_argument("--prefix", default="sirocco", help="resource name prefix, as the template's Prefix")
    local.add_argument("--region", help="AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, us-east-1)")
    local.add_argument("--template", metavar="FILE", help="CloudFormation (default: infra/resources.yaml)")
    local.add_argument("--app-dir", metavar="DIR", help="where app.py and .chalice/ are")
    local.add_argument("--stage", default="dev", help="Chalice stage whose configuration applies")
    local.add_argument("--concurrency", type=int, default=4, help="batches of one queue handled at once")
    local.add_argument("--retry-delay", type=int, metavar="SECONDS",
                       help="retry a failed message after SECONDS (default: the queue's visibility "
                            "timeout, as Lambda does: 360 s for the engine queue)")
    local.add_argument("--faults", metavar="SPEC",
                       help="inject faults, e.g. duplicate=1.0,crash=0.05,lost=0.01,throttle=0.02 (probabilities "
                            "per message or AWS call; also timeout, slow, seed=N; docs/faults.md)")
    local.add_argument("--auth", action="store_true",
                       help="require a token (SIROCCO_API_KEYS) on every request, as a deployed stage does")
    local.add_argument("--verbose", action="store_true", help="debug logging")
    dead = commands.add_parser(
        "dlq", help="list or redrive the dead-letter queues",
        description="List the messages of Sirocco's dead-letter queues with their cause, or send them back to "
                    "their queues. Queue names come from SIROCCO_*_QUEUE or --prefix; AWS from the standard "
                    "configuration, or --endpoint (sirocco dev's emulator URL).")
    dead.add_argument("action", choices=["list", "redrive"])
    dead.add_argument("--queue", action="append", metavar="NAME",
                      help="engine, executor, timer, notifier, events or a queue name (repeatable; default: all)")
    dead.add_argument("--id", action="append", metavar="MESSAGE_ID", help="redrive only these messages")
    dead.add_argument("--prefix", default="sirocco", help="the stack's resource prefix (default sirocco)")
    dead.add_argument("--endpoint", metavar="URL", help="an AWS-compatible endpoint (sirocco dev's emulator)")
    dead.add_argument("--limit", type=int, default=100, help="messages per queue (default 100)")
    dead.add_argument("--json", action="store_true", help="print JSON")
    priced = commands.add_parser(
        "cost", help="what an execution cost on AWS (requests, units, dollars; docs/cost.md)")
    priced.add_argument("execution_id", metavar="EXECUTION_ID")
    priced.add_argument("--url", default=os.environ.get("SIROCCO_URL", "http://127.0.0.1:8989"),
                        help="the API (default: SIROCCO_URL, else sirocco dev's http://127.0.0.1:8989)")
    priced.add_argument("--token", default=os.environ.get("SIROCCO_TOKEN"), help="API token (SIROCCO_TOKEN)")
    priced.add_argument("--json", action="store_true", help="print the report as JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "validate":
        return validate(args.files)
    if args.command == "dev":
        return dev(args)
    if args.command == "dlq":
        return dlq(args)
    if args.command == "cost":
        return cost(args)
    if args.command == "run":
        try:
            return run(args.file, args.workflow, args.input, args.params, args.json)
        except KeyboardInterrupt:
            return 130
    return 2  # argparse refuses unknown commands before this line


if __name__ == "__main__":
    sys.exit(main())
