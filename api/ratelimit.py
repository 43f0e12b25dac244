"""A small per-key sliding-window rate limiter (in memory, thread-safe, constant cost per call).

Used per WeChat OpenID so one follower cannot monopolise the assistant. Keys are kept in
least-recently-used order, so forgetting idle keys pops them from the front instead of scanning
every key: a message costs the same with ten senders or a hundred thousand. (The per-IP limits
of the JSON API use the `limits` library instead — see api/abuse.py; its in-memory storage
sweeps every key on a timer, which is fine for client addresses but not for one entry per
follower.) The clock is injectable so tests do not sleep.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable


class RateLimiter:
    def __init__(self, limit: int, window_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit  # 0 disables limiting
        self.window = window_seconds
        self._clock = clock
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()  # least recently hit first
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Record one event for `key`; False when it exceeds the limit within the window."""
        if self.limit <= 0:
            return True
        now = self._clock()
        horizon = now - self.window
        with self._lock:
            self._forget_idle(horizon)
            hits = self._hits.get(key)
            if hits is None:
                hits = self._hits[key] = deque()
            else:
                self._hits.move_to_end(key)
            while hits and hits[0] <= horizon:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True

    def _forget_idle(self, horizon: float) -> None:
        """Drop keys whose latest event left the window; they sit at the front (amortised O(1))."""
        while self._hits:
            key, hits = next(iter(self._hits.items()))
            if hits and hits[-1] > horizon:
                return
            self._hits.popitem(last=False)

    def __len__(self) -> int:
        return len(self._hits)
