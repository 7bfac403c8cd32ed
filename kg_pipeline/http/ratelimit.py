"""Per-upstream politeness: a minimum interval between request starts, one limiter per upstream
per process, shared by every fetcher (and thread) in the process.

A minimum interval rather than a token bucket because the upstreams state their limits as plain
rates (PubTator: 3 requests per second) and bursts are what gets clients blocked.
"""

from __future__ import annotations

import threading
import time


class MinIntervalLimiter:
    """Spaces request starts at least `min_interval_s` apart, across threads.

    Each caller reserves the next free start time under the lock and sleeps outside it, so
    waiting callers queue in order and never hold the lock while sleeping.
    """

    def __init__(self, min_interval_s: float) -> None:
        if min_interval_s < 0:
            raise ValueError(f"min_interval_s must be >= 0, got {min_interval_s}")
        self.min_interval_s = min_interval_s
        self._lock = threading.Lock()
        self._next_start = float("-inf")

    def acquire(self) -> float:
        """Block until this caller may start a request; returns the seconds waited."""
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + self.min_interval_s
        wait = start - now
        if wait > 0:
            time.sleep(wait)
        return wait


_limiters: dict[tuple[str, float], MinIntervalLimiter] = {}
_limiters_lock = threading.Lock()


def limiter_for(upstream: str, rate: float) -> MinIntervalLimiter:
    """The process-wide limiter for `upstream` at `rate` requests per second.

    Keyed by (upstream, rate): with one configuration per process that is one limiter per
    upstream; tests that configure other rates get their own instead of changing a shared one.
    """
    key = (upstream, rate)
    with _limiters_lock:
        limiter = _limiters.get(key)
        if limiter is None:
            limiter = _limiters[key] = MinIntervalLimiter(1.0 / rate)
        return limiter
