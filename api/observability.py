"""Prometheus metrics and JSON logs with a request id — neither carries personal data.

Metrics (`GET /metrics`, prometheus-client's text format):
- `medpolicy_http_requests_total{method, route, status}` and
  `medpolicy_http_request_duration_seconds{method, route}`: `route` is the route's template
  ("/api/chat", "/static/{path}" for mounts, "unmatched" otherwise), never the raw path, so
  neither a query string nor a made-up URL can put user text or unbounded labels in a series.
- `medpolicy_replies_total{channel, kind}`: kind = answer | related | refusal | clarification |
  estimate | other (greetings, thanks, hand-offs, resets).
- `medpolicy_feedback_ratings_total{rating}`: the 1–5 scores.
With several workers (`medpolicy serve --workers N`) each process writes to
PROMETHEUS_MULTIPROC_DIR and /metrics aggregates them (prometheus-client's multiprocess mode).

Logs: one JSON object per line (`ts, level, logger, message, request_id`); the request id comes
from a client's `X-Request-ID` when it is a short token (so a proxy's id carries through), else
a fresh one, and is echoed in the response header. Messages pass the PII masking filter first.
"""

from __future__ import annotations

import contextvars
import functools
import json
import logging
import os
import re
import secrets
import time
from datetime import UTC, datetime
from collections.abc import Callable
from typing import Any, TypeVar

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

T = TypeVar("T")
REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_DIGITS = re.compile(r"\d{6}")
REPLY_KINDS = ("answer", "related", "refusal", "clarification", "estimate", "other")

REQUESTS = Counter("medpolicy_http_requests_total", "HTTP requests by route template and status",
                   ["method", "route", "status"])
LATENCY = Histogram("medpolicy_http_request_duration_seconds", "HTTP request latency by route template",
                    ["method", "route"],
                    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
REPLIES = Counter("medpolicy_replies_total", "Assistant replies by kind", ["channel", "kind"])
FEEDBACK = Counter("medpolicy_feedback_ratings_total", "Satisfaction ratings (1-5)", ["rating"])


def in_context(fn: Callable[..., T], *args: Any) -> Callable[[], T]:
    """`fn(*args)` bound to the caller's context (request id included) for a worker pool, which
    would otherwise run it in an empty context and log it without a request id."""
    return functools.partial(contextvars.copy_context().run, fn, *args)


def reply_kind(reply: Any) -> str:
    """What kind of reply this was, for the metrics (the reply's own `kind` when it has one)."""
    kind = getattr(reply, "kind", None)
    explicit = "kind" in getattr(reply, "model_fields_set", {"kind"})  # the assistant sets it; a bare reply has the default
    if kind == "canned" and explicit:  # greeting, thanks, hand-over…: the assistant's fixed texts
        return "other"
    if kind in REPLY_KINDS and explicit:
        return str(kind)
    if getattr(reply, "clarification", None) is not None:
        return "clarification"
    if getattr(reply, "estimate", None):
        return "estimate"
    intent = getattr(reply, "intent", "")
    if intent in ("greeting", "thanks", "human", "reset"):
        return "other"
    if intent == "out_of_scope" or not getattr(reply, "citations", None) or not getattr(reply, "grounded", True):
        return "refusal"
    return "answer"


def count_reply(channel: str, reply: Any) -> None:
    REPLIES.labels(channel=channel, kind=reply_kind(reply)).inc()


def count_feedback(rating: int) -> None:
    FEEDBACK.labels(rating=str(rating)).inc()


def metrics_payload() -> tuple[bytes, str]:
    """The exposition text: this process's registry, or every worker's in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST


def _route_label(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if not path:
        return "unmatched"
    return f"{path}/{{path}}" if isinstance(route, Mount) else str(path)


def new_request_id(header: str | None) -> str:
    if header and _SAFE_ID.match(header) and not _DIGITS.search(header):
        return header
    return secrets.token_hex(8)


class ObservabilityMiddleware:
    """Times every request, counts it by route template and status, and binds a request id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        raw = headers.get(b"x-request-id")
        request_id = new_request_id(raw.decode("latin-1") if raw else None)
        # Not reset afterwards: each request runs in its own task (its own context copy), and the
        # outermost error handler, which logs after this middleware returns, must still see it.
        REQUEST_ID.set(request_id)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode("ascii"))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = _route_label(scope)
            method = scope.get("method", "GET")
            LATENCY.labels(method=method, route=route).observe(time.perf_counter() - started)
            REQUESTS.labels(method=method, route=route, status=str(status)).inc()


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": REQUEST_ID.get(),
        }
        if record.exc_info:
            data["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else ""
        return json.dumps(data, ensure_ascii=False)


def configure_logging(level: str = "info", json_lines: bool = True) -> None:
    """Root logging for `medpolicy serve`: JSON lines (or plain text), personal data masked,
    and faiss's CPU-feature probing ("Could not load library with AVX512 support … falling back")
    kept at DEBUG where it belongs: it is a normal fallback, not an error."""
    from api.pii import install_log_masking

    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        lg = logging.getLogger(name)
        lg.handlers[:] = []
        lg.propagate = True
    logging.getLogger("faiss.loader").setLevel(logging.WARNING)
    install_log_masking()
