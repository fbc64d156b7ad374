import logging
import os
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from core.context import set_context
from core.db import Database, utcnow
from core.jobs import (
    InProcessConsumer,
    configure_jobs,
    huey,
    start_in_process_consumer,
    stop_in_process_consumer,
)
from core.settings import Settings
from courses import tasks
from courses.models import Enrollment, LessonUnlock
from tests.conftest import StoreWorld

REDIS_URL = os.environ.get("ACADEMY_TEST_REDIS_URL")


def _backdate_enrollments(db: Database, days: int) -> None:
    with db.transaction() as s:
        s.execute(update(Enrollment).values(granted_at=utcnow() - timedelta(days=days)))


def _unlocks(db: Database) -> int:
    with db.transaction() as s:
        return int(s.scalar(select(func.count(LessonUnlock.id))) or 0)


def _wait_for(predicate, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_drip_task_is_periodic() -> None:
    assert tasks.drip_unlocks.task_class in huey._registry._periodic_tasks


def test_queued_job_survives_a_restart(settings: Settings, db: Database, store_a: StoreWorld) -> None:
    set_context(settings, db)
    _backdate_enrollments(db, 10)
    configure_jobs(settings)
    huey.flush()
    tasks.drip_unlocks()  # enqueued; no consumer is running
    assert huey.pending_count() == 1

    configure_jobs(settings)  # a new process: fresh storage on the same SQLite file
    assert huey.pending_count() == 1
    huey.execute(huey.dequeue())
    assert _unlocks(db) == 1


def test_in_process_consumer_runs_jobs(settings: Settings, db: Database, store_a: StoreWorld) -> None:
    set_context(settings, db)
    _backdate_enrollments(db, 10)
    configure_jobs(settings)
    huey.flush()
    consumer = start_in_process_consumer(1)
    try:
        tasks.drip_unlocks()  # periodic tasks keep no result: watch the database instead
        assert _wait_for(lambda: _unlocks(db) == 1)
    finally:
        stop_in_process_consumer(consumer)


@pytest.mark.skipif(REDIS_URL is None, reason="ACADEMY_TEST_REDIS_URL is not set (.ci/run sets it)")
def test_redis_queue_runs_jobs_in_a_worker(
    tmp_path: Path, settings: Settings, db: Database, store_a: StoreWorld
) -> None:
    queue = f"academy-test-{uuid.uuid4().hex[:8]}"  # parallel test runs never share a queue
    redis_settings = settings.model_copy(update={"redis_url": REDIS_URL, "jobs_queue": queue})
    set_context(redis_settings, db)
    _backdate_enrollments(db, 10)
    configure_jobs(redis_settings)
    huey.flush()
    tasks.drip_unlocks()
    assert huey.pending_count() == 1
    consumer = InProcessConsumer(huey, workers=1, worker_type="thread", periodic=False)
    consumer.start()
    try:
        assert _wait_for(lambda: _unlocks(db) == 1)
    finally:
        consumer.stop(graceful=True)
    assert huey.pending_count() == 0


def test_a_quiet_tasks_routine_lines_stay_out_of_the_log(caplog: pytest.LogCaptureFixture) -> None:
    from core.jobs import quiet

    quiet("tests.routine_tick")
    logger = logging.getLogger("huey")
    with caplog.at_level(logging.INFO, logger="huey"):
        logger.info("Executing %s", "tests.routine_tick: 1234")
        logger.info("Added task %s to schedule, eta %s", "1234", "later")
        logger.info("Executing %s", "courses.drip_unlocks: 5678")
        logger.error("Unhandled exception in task %s", "tests.routine_tick: 1234")
    assert [r.getMessage() for r in caplog.records] == [
        "Executing courses.drip_unlocks: 5678",
        "Unhandled exception in task tests.routine_tick: 1234",
    ]
