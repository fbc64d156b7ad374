import logging
import os
import sqlite3
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from huey.exceptions import TaskException
from sqlalchemy import func, select, update

from core import jobs
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


@huey.task(name="tests.write_a_row")  # type: ignore[untyped-decorator]
def write_a_row(path: str) -> str:
    """A job whose write meets SQLite's lock at once (no busy timeout), as one does under load."""
    with sqlite3.connect(path, timeout=0) as connection:
        connection.execute("INSERT INTO notes VALUES ('written')")
    return "written"


def run_next_retry(within_s: float) -> None:
    """The one task scheduled to run within `within_s` seconds, run as at its time."""
    due = huey.read_schedule(datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=within_s))
    assert len(due) == 1, due
    huey.execute(due[0], timestamp=due[0].eta)


def test_a_job_that_finds_the_database_locked_is_tried_again_not_dropped(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    set_context(settings, db)
    configure_jobs(settings)
    huey.flush()
    path = str(tmp_path / "busy.sqlite")
    with sqlite3.connect(path) as setup:
        setup.execute("CREATE TABLE notes (body TEXT)")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the file
    result = write_a_row(path)
    huey.execute(huey.dequeue())
    run_next_retry(within_s=1.5)  # the second try, a second later: still locked
    holder.execute("ROLLBACK")
    run_next_retry(within_s=2.5)
    assert result.get() == "written"
    with sqlite3.connect(path) as check:
        assert check.execute("SELECT count(*) FROM notes").fetchone() == (1,)
    holder.close()


def test_a_job_locked_past_its_patience_fails_as_any_error(
    settings: Settings, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_context(settings, db)
    configure_jobs(settings)
    huey.flush()
    monkeypatch.setattr(jobs, "LOCKED_RETRIES", 1)
    path = str(tmp_path / "busy.sqlite")
    with sqlite3.connect(path) as setup:
        setup.execute("CREATE TABLE notes (body TEXT)")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    result = write_a_row(path)
    huey.execute(huey.dequeue())
    run_next_retry(within_s=1.5)
    with pytest.raises(TaskException, match="database is locked"):
        result.get()
    holder.close()
