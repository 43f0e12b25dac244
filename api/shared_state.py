"""WeChat state that several workers must share, kept in Redis when `MEDPOLICY_REDIS_URL` is set.

Each class mirrors an in-process structure of the WeChat handler and has the same interface:

- `RedisNonceCache` ↔ `api.wechat.replay.NonceCache`: (timestamp, nonce) → body digest, SET NX
  with an expiry, so a replay is refused whichever worker sees it.
- `SharedRateLimiter` ↔ `api.ratelimit.RateLimiter`: per-OpenID moving window in the `limits`
  library's Redis storage (the per-address limits of `api.abuse` use the same storage).
- `RedisTokenStore` ↔ the access-token cache of `api.wechat.sender`: one worker fetches (under a
  short Redis lock), the others wait for and reuse its token, so no worker revokes another's.
- `RedisMessageLedger` ↔ the handler's future map: who answers a MsgId (claim), its reply,
  whether WeChat's window was missed (late), who delivers a late reply, and answers kept for a
  resend.

Keys are `medpolicy:` + a SHA-256 of what identifies the entry, so no OpenID is stored in clear;
every key expires on its own, so nothing needs sweeping.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

import redis
from limits import RateLimitItemPerSecond, storage, strategies

PREFIX = "medpolicy:"


def connect(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5, health_check_interval=30)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def digest_key(kind: str, *parts: str) -> str:
    """`medpolicy:<kind>:<sha256 of the parts>` — the parts may hold an OpenID."""
    h = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"{PREFIX}{kind}:{h}"


class RedisNonceCache:
    def __init__(self, client: redis.Redis, window_seconds: float) -> None:
        self.client = client
        self.window = max(1, int(window_seconds))

    def accept(self, timestamp: str, nonce: str, body: bytes) -> bool:
        """True for a new (timestamp, nonce) or a byte-identical retry; False for a replay."""
        key = digest_key("nonce", timestamp, nonce)
        digest = hashlib.sha256(body).hexdigest()
        if self.client.set(key, digest, nx=True, ex=self.window):
            return True
        seen = self.client.get(key)
        return seen is None or _text(seen) == digest


class SharedRateLimiter:
    """`limit` events per `window_seconds` per key, counted in a shared `limits` storage."""

    def __init__(self, storage_uri: str, limit: int, window_seconds: float) -> None:
        self.limit = limit
        self.item = RateLimitItemPerSecond(max(limit, 1), max(1, int(round(window_seconds))))
        self.strategy = strategies.MovingWindowRateLimiter(storage.storage_from_string(storage_uri))

    def allow(self, key: str) -> bool:
        if self.limit <= 0:
            return True
        return bool(self.strategy.hit(self.item, "wechat-openid", hashlib.sha256(key.encode()).hexdigest()))


_DELETE_IF_EQUAL = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"
_TAKE_IF_QUESTION = """
local v = redis.call('GET', KEYS[1])
if v and cjson.decode(v)['q'] == ARGV[1] then redis.call('DEL', KEYS[1]) return v end
return false
"""


class RedisTokenStore:
    """The WeChat access token shared by all workers; `fetch` runs in one worker at a time."""

    LOCK_SECONDS = 15

    def __init__(self, client: redis.Redis, app_id: str, sleep: Callable[[float], None] = time.sleep) -> None:
        self.client = client
        self.key = digest_key("wechat-token", app_id)
        self.lock_key = self.key + ":lock"
        self._sleep = sleep

    def token(self, fetch: Callable[[], tuple[str, int]], stale: str | None = None) -> str:
        """The current token; if there is none (or it is `stale`, i.e. WeChat said it expired),
        one worker calls `fetch() -> (token, seconds valid)` and the rest wait for its result."""
        if stale is not None:
            self.client.eval(_DELETE_IF_EQUAL, 1, self.key, stale)
        deadline = time.monotonic() + self.LOCK_SECONDS
        while True:
            current = self.client.get(self.key)
            if current is not None:
                return _text(current)
            if self.client.set(self.lock_key, "1", nx=True, ex=self.LOCK_SECONDS):
                try:
                    token, valid = fetch()
                    self.client.set(self.key, token, ex=max(60, valid))
                    return token
                finally:
                    self.client.delete(self.lock_key)
            if time.monotonic() > deadline:
                raise TimeoutError("another worker holds the access-token lock")
            self._sleep(0.05)


class RedisMessageLedger:
    """Who answers each WeChat message, and its reply, shared by every worker."""

    def __init__(self, client: redis.Redis, ttl_seconds: float, late_answer_seconds: int) -> None:
        self.client = client
        self.ttl = max(1, int(ttl_seconds))
        self.late_ttl = late_answer_seconds

    def _k(self, what: str, key: str) -> str:
        return f"{PREFIX}wechat-msg:{key}:{what}"

    def claim(self, key: str) -> bool:
        """True for exactly one delivery of a message across all workers: that one answers it.
        The claim outlives the reply window plus the longest answer, like the in-process map."""
        return bool(self.client.set(self._k("claim", key), "1", nx=True, ex=self.ttl + 60))

    def publish(self, key: str, kind: str, content: str) -> None:
        self.client.set(self._k("reply", key), json.dumps({"kind": kind, "content": content}), ex=self.ttl + 60)

    def result(self, key: str) -> tuple[str, str] | None:
        raw = self.client.get(self._k("reply", key))
        if raw is None:
            return None
        data: dict[str, Any] = json.loads(raw)
        return str(data["kind"]), str(data["content"])

    def mark_late(self, key: str) -> bool:
        """Record that WeChat's window passed; True for the first delivery to notice."""
        return bool(self.client.set(self._k("late", key), "1", nx=True, ex=self.ttl + 60))

    def is_late(self, key: str) -> bool:
        return bool(self.client.exists(self._k("late", key)))

    def claim_delivery(self, key: str) -> bool:
        """True once per message: whoever wins delivers the late reply (passively or pushed)."""
        return bool(self.client.set(self._k("delivered", key), "1", nx=True, ex=self.ttl + 60))

    def keep_late_answer(self, openid: str, question: str, answer: str) -> None:
        self.client.set(digest_key("wechat-late", openid), json.dumps({"q": question, "a": answer}), ex=self.late_ttl)

    def take_late_answer(self, openid: str, question: str) -> str | None:
        raw = self.client.eval(_TAKE_IF_QUESTION, 1, digest_key("wechat-late", openid), question)
        return str(json.loads(raw)["a"]) if raw else None
