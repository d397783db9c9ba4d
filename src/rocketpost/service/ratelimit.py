"""Token-bucket rate limiting per API key, in process memory.

Each key owns a bucket of ``burst`` tokens refilled at ``per_min / 60`` tokens a second; a
request takes one token or is refused with the seconds until one is back (``Retry-After``).
Buckets are per process: with N uvicorn workers a key gets up to N times the rate, which is the
usual trade-off of a limiter without shared state (document it, or front it with a proxy).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

__all__ = ["RateLimiter"]

_MAX_KEYS = 100_000


class RateLimiter:
    """Per-key token buckets.

    Parameters
    ----------
    per_min
        Refill rate (tokens per minute); 0 disables limiting.
    burst
        Bucket size: requests a fresh key may make at once.
    clock
        Monotonic seconds (injected by tests).
    """

    def __init__(
        self, per_min: float, burst: int, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_s = per_min / 60.0
        self.burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """Whether any limit applies."""
        return self.per_s > 0

    def acquire(self, key: str) -> float:
        """Take a token for ``key``: 0.0 when allowed, else the seconds to wait (> 0)."""
        if self.per_s <= 0:
            return 0.0
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.per_s)
            if tokens >= 1.0:
                if len(self._buckets) >= _MAX_KEYS and key not in self._buckets:
                    self._buckets.clear()
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.per_s

    @staticmethod
    def retry_after_header(wait_s: float) -> str:
        """Whole seconds for ``Retry-After`` (at least 1)."""
        return str(max(1, math.ceil(wait_s)))
