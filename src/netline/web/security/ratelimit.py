"""Rate limiting of login attempts: a sliding window per client address and per user name."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable


class SlidingWindowLimiter:
    """Allow at most ``limit`` events per ``window_s`` seconds for each key.

    Parameters
    ----------
    limit : int
        Events allowed in a window.
    window_s : float
        Length of the window in seconds.
    clock : callable, optional
        Monotonic clock (injected in tests).
    """

    def __init__(
        self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if limit < 1 or window_s <= 0:
            raise ValueError("limit must be at least 1 and window_s positive")
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._events: defaultdict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _prune(self, key: str, now: float) -> deque[float]:
        events = self._events[key]
        while events and now - events[0] >= self.window_s:
            events.popleft()
        return events

    def blocked(self, key: str) -> bool:
        """Whether ``key`` has used up its window."""
        with self._lock:
            return len(self._prune(key, self._clock())) >= self.limit

    def hit(self, key: str) -> None:
        """Record one event (a failed login) for ``key``."""
        with self._lock:
            now = self._clock()
            self._prune(key, now).append(now)

    def reset(self, key: str) -> None:
        """Forget ``key`` (after a successful login)."""
        with self._lock:
            self._events.pop(key, None)
