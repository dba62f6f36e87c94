"""Login rate limiting: too many failed logins for a user from one address → HTTP 429.

In memory (one ``serve`` process; a restart forgets): enough to stop password guessing
against a dashboard, without a database write per failed attempt.  Two limits: failures per
(user, address), and failures per address over all user names (guessing many names).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable


class LoginLimiter:
    def __init__(self, max_failures: int = 5, window_seconds: float = 300.0, max_per_address: int = 30,
                 clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000) -> None:
        self.max_failures = max_failures
        self.window = window_seconds
        self.max_per_address = max_per_address
        self._clock = clock
        self._max_keys = max_keys
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _prune(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def retry_after(self, user: str, address: str) -> int | None:
        """Seconds until a login may be tried again, or None when it may be tried now."""
        now = self._clock()
        with self._lock:
            waits = []
            for key, limit in (((user.lower(), address), self.max_failures), (("", address), self.max_per_address)):
                times = self._prune(key, now)
                if len(times) >= limit:
                    waits.append(times[len(times) - limit] + self.window - now)
            return max(1, math.ceil(max(waits))) if waits else None

    def failure(self, user: str, address: str) -> None:
        now = self._clock()
        with self._lock:
            if len(self._failures) >= self._max_keys:  # memory bound: forget the oldest keys
                for key in sorted(self._failures, key=lambda k: self._failures[k][-1])[: self._max_keys // 10]:
                    del self._failures[key]
            for key in ((user.lower(), address), ("", address)):
                self._failures.setdefault(key, deque()).append(now)

    def success(self, user: str, address: str) -> None:
        with self._lock:
            self._failures.pop((user.lower(), address), None)
