"""Rate limits on the `limits` library: a moving window per (rule, identifiers), kept in Redis when
the deployment has one (so every instance counts together) and in process memory otherwise.

Rules are strings such as `"5/minute;20/hour"`. A store that cannot be reached lets the request
through and logs it: throttling must never take the login page down with it.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from functools import lru_cache

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from core.errors import TooManyRequests

log = logging.getLogger("academy.ratelimit")


@lru_cache(maxsize=64)
def _items(rule: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(rule))


class RateLimiter:
    def __init__(self, redis_url: str | None = None, prefix: str = "academy") -> None:
        storage: Storage = RedisStorage(redis_url, key_prefix=f"{prefix}:limits") if redis_url else MemoryStorage()
        self.storage = storage
        self.strategy = MovingWindowRateLimiter(storage)

    def _retry_after(self, item: RateLimitItem, identifiers: tuple[str, ...]) -> int:
        reset = self.strategy.get_window_stats(item, *identifiers).reset_time
        return max(1, math.ceil(reset - time.time()))

    def check(self, rule: str, *identifiers: str, what: str = "requests") -> None:
        """Refuse (429) when the window is full, without counting this request."""
        self._apply(self.strategy.test, rule, identifiers, what)

    def hit(self, rule: str, *identifiers: str, what: str = "requests") -> None:
        """Count this request; refuse (429) when it goes over any window of the rule."""
        self._apply(self.strategy.hit, rule, identifiers, what)

    def _apply(self, admit: Callable[..., bool], rule: str, identifiers: tuple[str, ...], what: str) -> None:
        try:
            for item in _items(rule):
                if not admit(item, *identifiers):
                    raise TooManyRequests.after(self._retry_after(item, identifiers), what)
        except TooManyRequests:
            raise
        except Exception:
            log.exception("rate-limit store unavailable; letting the request through")
