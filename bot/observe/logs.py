"""Log lines: readable by default, one JSON object each with LOG_FORMAT=json, and in both the
workspace, programme, request and sweep they belong to where known.

That context lives in a contextvar, set where a Slack request enters (bot/web.py) or a sweep
starts: work a listener carries on after its acknowledgement runs as a task that copies the
context, so its lines say which request they belong to as well.

Nothing here logs a request's body. Slack's libraries do at DEBUG (message text and views
carry what people typed), and so does aiosqlite (every statement's parameters), so their
loggers stay at INFO whatever LOG_LEVEL says; a Slack token that reaches a line anyway is
replaced before it is written.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

from slack_bolt.request.internals import extract_team_id

READABLE = "%(asctime)s %(levelname)s %(name)s: %(message)s"
TOKEN = re.compile(r"\bx(?:ox[a-z]|app)-[A-Za-z0-9-]+")
# Loggers that write request and response bodies or SQL parameters at DEBUG.
BODY_LOGGERS = ("slack_sdk", "slack_bolt", "bot.slack", "bot.slack.api", "aiosqlite")

_context: ContextVar[dict[str, Any] | None] = ContextVar("log_context", default=None)


def context() -> dict[str, Any]:
    return _context.get() or {}


@contextmanager
def bound(**fields: Any) -> Iterator[None]:
    """Within the block (and tasks started in it), log lines carry these fields too."""
    token = _context.set({**context(), **fields})
    try:
        yield
    finally:
        _context.reset(token)


def bind(**fields: Any) -> None:
    """Add fields to the current context, for the rest of this task (a programme's id, once a
    request's work has found it)."""
    _context.set({**context(), **fields})


def slack_request(body: Mapping[str, Any], headers: Mapping[str, str]) -> dict[str, Any]:
    """A Slack request's log fields: its workspace, an id to follow it by (the load
    balancer's X-Request-Id when there is one), and Slack's retry number when it is a retry."""
    fields: dict[str, Any] = {
        "request_id": headers.get("X-Request-Id") or uuid.uuid4().hex[:16],
    }
    team_id = extract_team_id(dict(body))
    if team_id:
        fields["team_id"] = team_id
    retry = headers.get("X-Slack-Retry-Num")
    if retry is not None and retry.isdigit():
        fields["slack_retry"] = int(retry)
    return fields


def redact(line: str) -> str:
    return TOKEN.sub("[redacted token]", line)


class Readable(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(READABLE)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class Json(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the context, and the error."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **context(),
        }
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return redact(json.dumps(line, default=str))


def configure(*, level: str, json_lines: bool, stream: TextIO | None = None) -> logging.Handler:
    """Send every log line to `stream` (stderr) in the chosen format; returns the handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(Json() if json_lines else Readable())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    at_least_info = max(logging.INFO, root.getEffectiveLevel())
    for name in BODY_LOGGERS:
        logging.getLogger(name).setLevel(at_least_info)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # chatty on import
    return handler
