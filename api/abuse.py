"""Per-client-address limits on the JSON API: chat, feedback and failed admin-key attempts.

Built on the `limits` library (moving window). Its storage is a URI setting: `memory://` (the
default) keeps counters in this process; `redis://…` or `memcached://…` let several workers
share them. A limit is written as `limits` parses it ("30/minute", "10/hour"); an empty string
switches that limit off. The client address is the connection's peer as uvicorn reports it
(behind a reverse proxy, run uvicorn with --forwarded-allow-ips so that is the real client).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from fastapi import Request
from limits import RateLimitItem, parse, storage, strategies
from starlette.concurrency import run_in_threadpool

from api.errors import ApiError
from api.settings import ServiceSettings

_REFUSED = {
    "chat": "提问过于频繁，请稍后再试。",
    "feedback": "评价提交过于频繁，请稍后再试。",
    "admin_failures": "管理密钥错误次数过多，请稍后再试。",
}


def parse_limit(text: str) -> RateLimitItem | None:
    """"30/minute" → a limit; "" → None (no limit). Raises ValueError for anything else."""
    text = (text or "").strip()
    return parse(text) if text else None


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds until the window has room again


class ClientLimits:
    def __init__(self, settings: ServiceSettings) -> None:
        self.storage = storage.storage_from_string(settings.limits_storage_uri)
        # Counters in this process need no I/O: they are counted on the event loop (`count_hit`)
        # instead of the thread pool FastAPI gives a sync dependency (a thread hop per request).
        self.in_process = isinstance(self.storage, storage.MemoryStorage)
        self.strategy = strategies.MovingWindowRateLimiter(self.storage)
        self.items: dict[str, RateLimitItem | None] = {
            "chat": parse_limit(settings.rate_limit_chat),
            "feedback": parse_limit(settings.rate_limit_feedback),
            "admin_failures": parse_limit(settings.rate_limit_admin_failures),
        }

    def _retry_after(self, item: RateLimitItem, client: str, name: str) -> int:
        reset = self.strategy.get_window_stats(item, name, client).reset_time
        return max(1, int(reset - time.time()) + 1)

    def hit(self, name: str, client: str) -> Verdict:
        """Count one event; refused when it would exceed the limit."""
        item = self.items[name]
        if item is None or self.strategy.hit(item, name, client):
            return Verdict(True)
        return Verdict(False, self._retry_after(item, client, name))

    def blocked(self, name: str, client: str) -> Verdict:
        """Whether the limit is already used up, without counting anything."""
        item = self.items[name]
        if item is None or self.strategy.test(item, name, client):
            return Verdict(True)
        return Verdict(False, self._retry_after(item, client, name))

    def refusal(self, name: str, verdict: Verdict) -> ApiError:
        err = ApiError(429, "rate_limited", _REFUSED[name])
        err.headers = {"Retry-After": str(verdict.retry_after)}
        return err


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def get_limits(request: Request) -> ClientLimits:
    return request.app.state.limits  # type: ignore[no-any-return]


async def count_hit(limits: ClientLimits, name: str, client: str) -> Verdict:
    """`limits.hit` on the event loop when the counters are in this process (no I/O, nothing
    to wait for), else in the thread pool: a Redis or memcached round trip must not block the loop."""
    if limits.in_process or limits.items[name] is None:
        return limits.hit(name, client)
    return await run_in_threadpool(limits.hit, name, client)


async def limit_chat(request: Request) -> None:
    """Dependency of POST /api/chat. Async, so FastAPI does not run it in a worker thread."""
    limits = get_limits(request)
    verdict = await count_hit(limits, "chat", client_address(request))
    if not verdict.allowed:
        raise limits.refusal("chat", verdict)


async def limit_feedback(request: Request) -> None:
    """Dependency of POST /api/feedback. Async, so FastAPI does not run it in a worker thread."""
    limits = get_limits(request)
    verdict = await count_hit(limits, "feedback", client_address(request))
    if not verdict.allowed:
        raise limits.refusal("feedback", verdict)
