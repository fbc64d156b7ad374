"""Token buckets: a round takes no more than a store's rate and the deployment's allow, in process
memory and in Redis (atomic across pumps); a store over its rate waits while another goes on."""

from __future__ import annotations

import os
import uuid

import pytest

from core.db import Database
from mail.buckets import Limits, MemoryBuckets, RedisBuckets
from mail.queue import claim
from tests.conftest import StoreWorld
from tests.mail.factories import queued

REDIS_URL = os.environ.get("ACADEMY_TEST_REDIS_URL")


def test_a_bucket_grants_its_burst_then_refills_at_its_rate() -> None:
    buckets = MemoryBuckets()
    assert buckets.take("s", 10, rate=1000.0, burst=4) == 4
    assert buckets.take("s", 10, rate=0.001, burst=4) == 0  # spent, and (almost) nothing refilled


@pytest.mark.skipif(REDIS_URL is None, reason="ACADEMY_TEST_REDIS_URL is not set (.ci/run sets it)")
def test_a_redis_bucket_is_shared_by_every_pump() -> None:
    assert REDIS_URL
    key = f"test-{uuid.uuid4().hex}"
    one, two = RedisBuckets(REDIS_URL), RedisBuckets(REDIS_URL)
    assert one.take(key, 3, rate=0.001, burst=5) == 3
    assert two.take(key, 3, rate=0.001, burst=5) == 2  # the other pump's take counted


def test_a_round_holds_each_store_to_its_rate(db: Database, store_a: StoreWorld, store_b: StoreWorld) -> None:
    queued(db, store_a.store_id, 10)
    queued(db, store_b.store_id, 10)
    limits = Limits(MemoryBuckets(), per_store=0.001, overall=0, interval=1)  # a burst of 1 each, then nothing
    first = claim(db, 20, limits=limits)
    assert sorted(m.store_id for m in first) == sorted([store_a.store_id, store_b.store_id])
    assert claim(db, 20, limits=limits) == []


def test_a_round_holds_the_deployment_to_its_overall_rate(db: Database, store_a: StoreWorld) -> None:
    queued(db, store_a.store_id, 10)
    limits = Limits(MemoryBuckets(), per_store=0, overall=2, interval=1)  # a burst of 4
    assert len(claim(db, 20, limits=limits)) == 4
