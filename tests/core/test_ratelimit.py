"""The rate limiter: moving windows per identifier, in memory or shared through Redis."""

import os
import uuid

import pytest

from core.errors import TooManyRequests
from core.ratelimit import RateLimiter

REDIS_URL = os.environ.get("ACADEMY_TEST_REDIS_URL")


def test_hits_over_the_rule_are_refused_with_a_retry_time() -> None:
    limiter = RateLimiter()
    limiter.hit("2/minute", "k")
    limiter.hit("2/minute", "k")
    with pytest.raises(TooManyRequests) as refused:
        limiter.hit("2/minute", "k")
    assert 1 <= refused.value.extra["retry_after"] <= 60


def test_identifiers_are_counted_apart() -> None:
    limiter = RateLimiter()
    limiter.hit("1/minute", "a")
    limiter.hit("1/minute", "b")


def test_check_does_not_count() -> None:
    limiter = RateLimiter()
    for _ in range(3):
        limiter.check("1/minute", "k")
    limiter.hit("1/minute", "k")
    with pytest.raises(TooManyRequests):
        limiter.check("1/minute", "k")


def test_every_window_of_a_rule_applies() -> None:
    limiter = RateLimiter()
    limiter.hit("5/minute;1/hour", "k")
    with pytest.raises(TooManyRequests):
        limiter.hit("5/minute;1/hour", "k")


def test_an_unreachable_store_lets_requests_through() -> None:
    limiter = RateLimiter("redis://127.0.0.1:1/0")
    limiter.hit("1/minute", "k")
    limiter.hit("1/minute", "k")


@pytest.mark.skipif(REDIS_URL is None, reason="ACADEMY_TEST_REDIS_URL is not set (.ci/run sets it)")
def test_instances_share_counts_through_redis() -> None:
    prefix = f"t{uuid.uuid4().hex[:8]}"
    one, two = RateLimiter(REDIS_URL, prefix), RateLimiter(REDIS_URL, prefix)
    one.hit("2/minute", "k")
    two.hit("2/minute", "k")
    with pytest.raises(TooManyRequests):
        one.hit("2/minute", "k")
