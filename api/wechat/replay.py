"""Refuse a signed WeChat URL reused with another body (a replay within the timestamp window).

In plain mode the server signature covers only token, timestamp and nonce — not the body — so a
captured signed URL could carry any message for as long as its timestamp is accepted. Each
(timestamp, nonce) is remembered with a digest of its body for that long: a second request with
the same pair and the same body is WeChat retrying (answered once by the dedupe map); with a
different body it is refused. Entries are kept in arrival order and dropped from the front, so a
request costs the same however many are remembered; a cap bounds memory under a flood.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

DEFAULT_WINDOW_SECONDS = 600.0
MAX_ENTRIES = 200_000


class NonceCache:
    def __init__(
        self, window_seconds: float, clock: Callable[[], float] = time.monotonic, max_entries: int = MAX_ENTRIES
    ) -> None:
        self.window = window_seconds
        self.max_entries = max_entries
        self._clock = clock
        self._seen: OrderedDict[tuple[str, str], tuple[bytes, float]] = OrderedDict()
        self._lock = threading.Lock()

    def accept(self, timestamp: str, nonce: str, body: bytes) -> bool:
        """True for a new (timestamp, nonce), or a byte-identical retry; False for a replay."""
        digest = hashlib.sha256(body).digest()
        now = self._clock()
        key = (timestamp, nonce)
        with self._lock:
            while self._seen:
                first_key, (_, at) = next(iter(self._seen.items()))
                if at > now - self.window and len(self._seen) < self.max_entries:
                    break
                del self._seen[first_key]
            seen = self._seen.get(key)
            if seen is None:
                self._seen[key] = (digest, now)
                return True
            return hmac.compare_digest(seen[0], digest)

    def __len__(self) -> int:
        return len(self._seen)
