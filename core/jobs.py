"""Background jobs: Huey on SQLite (consumer threads inside `academy serve`) by default, Huey on
Redis with separate `academy worker` processes when a Redis URL is set.

Tasks register on the one `huey` object at import time; `configure_jobs` points it at the real
queue once settings are known. Until then enqueueing fails loudly instead of losing work.

A task that fails because SQLite is busy ("database is locked": another writer held the file past the
busy timeout, or a read transaction could not become a write) is not dropped: it is tried again after
1, 2, 3 … seconds, up to `LOCKED_RETRIES` times, whatever its own `retries` (which stay for its own
failures).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections import OrderedDict
from typing import Any

from huey import Huey
from huey.consumer import Consumer
from huey.exceptions import RetryTask
from huey.storage import BlackHoleStorage, RedisStorage, SqliteStorage

from core.settings import Settings

log = logging.getLogger("academy.jobs")
QUEUE_NAME = "academy"


class _UnconfiguredStorage(BlackHoleStorage):  # type: ignore[misc]
    def enqueue(self, data: Any, priority: Any = None) -> None:
        raise RuntimeError("jobs are not configured: call core.jobs.configure_jobs(settings) first")


LOCKED_RETRIES = 10


def database_locked(exc: BaseException) -> bool:
    """SQLite's busy error, raw or wrapped by SQLAlchemy (`exc.orig`)."""
    error = getattr(exc, "orig", exc)
    return isinstance(error, sqlite3.OperationalError) and "database is locked" in str(error)


class PatientHuey(Huey):  # type: ignore[misc]
    """Huey that tries a task again when SQLite was busy, instead of recording a failure."""

    _locked: OrderedDict[str, int] = OrderedDict()  # task id -> busy retries so far (this process)
    _guard = threading.Lock()  # the consumer's worker threads share it

    def _execute(self, task: Any, timestamp: Any) -> Any:
        run = task.execute

        def patient() -> Any:
            try:
                value = run()
            except Exception as exc:
                with self._guard:
                    tries = self._locked.pop(task.id, 0)
                    if not database_locked(exc) or tries >= LOCKED_RETRIES:
                        raise
                    self._locked[task.id] = tries + 1
                    while len(self._locked) > 10_000:
                        self._locked.popitem(last=False)
                log.warning("task %s found the database locked; trying again (%d)", task.name, tries + 1)
                raise RetryTask(delay=tries + 1) from exc
            with self._guard:
                self._locked.pop(task.id, None)
            return value

        task.execute = patient
        try:
            return super()._execute(task, timestamp)
        finally:
            del task.execute  # the instance's wrapper; a requeued task is serialized without it


huey = PatientHuey(QUEUE_NAME, storage_class=_UnconfiguredStorage, utc=True)


class QuietRoutine(logging.Filter):
    """Huey logs every task's start and end, and every delayed task, at INFO; a task that runs every
    few seconds (the mail pump) would bury the log under them. Those lines of the tasks named
    `quiet` are dropped, and Huey's "added to schedule" lines (which name no task); warnings,
    errors and every other task's lines stay."""

    names: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.INFO:
            return True
        if record.msg == "Added task %s to schedule, eta %s":
            return False
        message = record.getMessage()
        return not any(name in message for name in self.names)


_quiet = QuietRoutine()
logging.getLogger("huey").addFilter(_quiet)


def quiet(task_name: str) -> None:
    """Keep a routine task's start and end out of the log."""
    QuietRoutine.names.add(task_name)


def configure_jobs(settings: Settings) -> Huey:
    """Point the shared queue at Redis (when configured) or the SQLite jobs file."""
    huey.name = settings.jobs_queue
    if settings.redis_url:
        huey.storage = RedisStorage(settings.jobs_queue, url=settings.redis_url)
    else:
        settings.jobs_sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        huey.storage = SqliteStorage(settings.jobs_queue, filename=str(settings.jobs_sqlite_path))
    return huey


def jobs_backend(settings: Settings) -> str:
    return "redis" if settings.redis_url else "sqlite"


class InProcessConsumer(Consumer):  # type: ignore[misc]
    """A consumer that runs beside the web server: threads only, and no signal handlers (uvicorn
    owns the process's signals and stops us from its lifespan)."""

    def _set_signal_handlers(self) -> None:
        return None


def start_in_process_consumer(workers: int) -> InProcessConsumer:
    consumer = InProcessConsumer(
        huey,
        workers=workers,
        worker_type="thread",
        periodic=True,
        check_worker_health=False,
        shutdown_timeout=10,
        initial_delay=0.05,
        max_delay=1.0,
    )
    consumer.start()
    log.info("job consumer started in-process with %d thread(s)", workers)
    return consumer


def stop_in_process_consumer(consumer: InProcessConsumer) -> None:
    consumer.stop(graceful=True)
    log.info("job consumer stopped")


def run_worker(workers: int) -> None:
    """`academy worker`: a foreground consumer that owns its process and its signals."""
    Consumer(huey, workers=workers, worker_type="thread", periodic=True, max_delay=1.0).run()
