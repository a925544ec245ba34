"""Login rate limiting: at most N failed attempts per (username, client IP) in a sliding window.

In memory, so it is per process: right for one ``komplekt serve`` process (the supported
deployment). Several worker processes would each count separately and need a shared store.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable


class TooManyAttempts(Exception):
    """Too many failed logins; ``retry_after`` seconds until the next attempt is allowed."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed logins; retry after {retry_after} s")
        self.retry_after = retry_after


class LoginRateLimiter:
    """Counts failed logins per (username, IP); ``check`` raises once the limit is reached."""

    def __init__(
        self, attempts: int = 5, window_seconds: int = 300,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:  # fmt: skip
        self.attempts = attempts
        self.window = window_seconds
        self.clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        failures = self._failures[key]
        horizon = self.clock() - self.window
        while failures and failures[0] <= horizon:
            failures.popleft()
        return failures

    def check(self, username: str, ip: str) -> None:
        """Raise ``TooManyAttempts`` if this username+IP used up its failures in the window."""
        key = (username.lower(), ip)
        with self._lock:
            failures = self._recent(key)
            if len(failures) >= self.attempts:
                raise TooManyAttempts(max(1, int(failures[0] + self.window - self.clock()) + 1))

    def record_failure(self, username: str, ip: str) -> None:
        """Count one failed attempt."""
        with self._lock:
            self._recent((username.lower(), ip)).append(self.clock())

    def reset(self, username: str, ip: str) -> None:
        """Forget the failures after a successful login."""
        with self._lock:
            self._failures.pop((username.lower(), ip), None)
