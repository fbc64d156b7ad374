"""Token buckets for sending: each store's, and the deployment's whole (a provider's account limit:
Resend allows 2 requests a second by default).

A bucket holds up to `burst` tokens and refills at `rate` a second; sending a message takes one. A
pump asks for as many as it has messages ready and is given what the bucket holds, so a round never
takes more than the limit allows and a store over its rate waits for its next tokens while the
others go on. In Redis (when the deployment has one) the take is one Lua script, atomic across every
pump of every instance; otherwise the buckets live in this process, which is right for the embedded
stack's single pump."""

from __future__ import annotations

import logging
import threading
import time
from typing import Protocol

log = logging.getLogger("academy.mail")

# KEYS[1]: the bucket; ARGV: rate, burst, now, wanted. Answers how many were granted.
TAKE = """
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local rate, burst, now, wanted = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local granted = math.min(wanted, math.floor(tokens))
tokens = tokens - granted
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 60)
return granted
"""


class Buckets(Protocol):
    def take(self, key: str, wanted: int, rate: float, burst: float) -> int: ...


class MemoryBuckets:
    def __init__(self) -> None:
        self._state: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, wanted: int, rate: float, burst: float) -> int:
        now = time.monotonic()
        with self._lock:
            tokens, at = self._state.get(key, (burst, now))
            tokens = min(burst, tokens + max(0.0, now - at) * rate)
            granted = min(wanted, int(tokens))
            self._state[key] = (tokens - granted, now)
            return granted


class RedisBuckets:
    def __init__(self, url: str, prefix: str = "academy:mail:bucket") -> None:
        import redis

        self._client = redis.Redis.from_url(url)
        self._take = self._client.register_script(TAKE)
        self._prefix = prefix

    def take(self, key: str, wanted: int, rate: float, burst: float) -> int:
        try:
            granted = self._take(keys=[f"{self._prefix}:{key}"], args=[rate, burst, time.time(), wanted])
            return int(granted)
        except Exception:  # Redis away: send at the store's fair share rather than not at all
            log.exception("mail buckets unavailable; sending without the rate limit")
            return wanted


_memory = MemoryBuckets()


def make_buckets(redis_url: str | None) -> Buckets:
    return RedisBuckets(redis_url) if redis_url else _memory


class Limits:
    """The rates a round is held to: a store's (`per_store`) and the deployment's (`overall`), in
    messages a second; 0 is no limit. A bucket's burst is what a pump interval accrues (at least one
    message), so an idle pump's next round can use the time it waited."""

    def __init__(self, buckets: Buckets, per_store: float, overall: float, interval: float) -> None:
        self.buckets, self.per_store, self.overall, self.interval = buckets, per_store, overall, interval

    def _burst(self, rate: float) -> float:
        return max(1.0, rate * max(self.interval, 1.0) * 2)

    def grant(self, store_id: str, wanted: int) -> int:
        """How many of `wanted` messages of the store may go now (tokens taken for exactly those)."""
        granted = wanted
        if self.per_store > 0 and granted:
            granted = self.buckets.take(f"store:{store_id}", granted, self.per_store, self._burst(self.per_store))
        if self.overall > 0 and granted:
            overall = self.buckets.take("overall", granted, self.overall, self._burst(self.overall))
            # tokens the store's bucket gave beyond what the overall one allows are simply spent: the
            # store sends a little later, never more than either rate
            granted = overall
        return granted


UNLIMITED = Limits(MemoryBuckets(), 0, 0, 1)
