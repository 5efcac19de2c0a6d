"""A per-key token bucket: `rate` messages a second sustained, `burst` at once."""

from __future__ import annotations

import time


class RateLimiter:
    """Token buckets kept in memory, one per key (a web session)."""

    def __init__(self, rate: float, burst: int, max_keys: int = 100_000) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("the rate must be positive and the burst at least 1")
        self._rate = rate
        self._burst = float(burst)
        self._max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}

    def allow(self, key: str, now: float | None = None) -> tuple[bool, float]:
        """Whether `key` may act now, and if not, the seconds until it may."""
        now = time.monotonic() if now is None else now
        tokens, updated = self._buckets.get(key, (self._burst, now))
        tokens = min(self._burst, tokens + (now - updated) * self._rate)
        if tokens < 1:
            self._buckets[key] = (tokens, now)
            return False, (1 - tokens) / self._rate
        self._buckets[key] = (tokens - 1, now)
        if len(self._buckets) > self._max_keys:
            self._prune(now)
        return True, 0.0

    def _prune(self, now: float) -> None:
        """Forget buckets that have refilled (they behave as new ones); if that is not enough, the oldest."""
        refill = self._burst / self._rate
        self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < refill}
        if len(self._buckets) > self._max_keys:
            newest = sorted(self._buckets.items(), key=lambda item: item[1][1])[-self._max_keys // 2 :]
            self._buckets = dict(newest)
