"""Structured log lines: one JSON object per line on standard output (what
CloudWatch Logs stores and Logs Insights queries), carrying the execution,
task and action ids the line is about."""

from __future__ import annotations

import datetime
import json
import logging
import os
import sys
import threading
from typing import Any

from sirocco.metering import meter

logger = logging.getLogger("sirocco.shell")
_write_lock = threading.Lock()


class _StdoutJson(logging.Handler):
    """Writes the message (already a JSON text) to the current sys.stdout."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage() + "\n"
            sys.stdout.write(text)
            meter.logged(text)  # CloudWatch Logs ingests it (docs/cost.md)
        except Exception:  # pragma: no cover - logging must never break a handler
            self.handleError(record)


def _configure() -> None:
    if not any(isinstance(h, _StdoutJson) for h in logger.handlers):
        logger.addHandler(_StdoutJson())
    logger.propagate = False
    logger.setLevel(os.environ.get("SIROCCO_LOG_LEVEL", "INFO").upper())


_configure()


def _default(value: Any) -> str:
    return repr(value)


def _line(level: int, msg: str, fields: dict[str, Any]) -> str:
    line = {"time": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "level": logging.getLevelName(level), "msg": msg}
    line.update({k: v for k, v in fields.items() if v is not None})
    return json.dumps(line, default=_default, ensure_ascii=False)


def log(level: int, msg: str, **fields: Any) -> None:
    """One JSON line: ``{"time", "level", "msg", ...fields}`` (None fields left out)."""
    if not logger.isEnabledFor(level):
        return
    logger.log(level, _line(level, msg, fields))


def always(msg: str, **fields: Any) -> None:
    """One JSON line whatever ``SIROCCO_LOG_LEVEL`` says: metric lines (metrics.py),
    which a quieter log level must not silently turn off."""
    text = _line(logging.INFO, msg, fields) + "\n"
    try:
        with _write_lock:  # one whole line at a time, from the executor's threads too
            sys.stdout.write(text)
        meter.logged(text)
    except Exception:  # pragma: no cover - logging must never break a handler
        pass


def info(msg: str, **fields: Any) -> None:
    log(logging.INFO, msg, **fields)


def warning(msg: str, **fields: Any) -> None:
    log(logging.WARNING, msg, **fields)


def error(msg: str, **fields: Any) -> None:
    log(logging.ERROR, msg, **fields)


def exception_fields(exc: BaseException) -> dict[str, Any]:
    return {"error_type": type(exc).__name__, "error": str(exc)[:2000]}
