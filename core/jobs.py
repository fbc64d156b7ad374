"""Background jobs: Huey on SQLite (consumer threads inside `academy serve`) by default, Huey on
Redis with separate `academy worker` processes when a Redis URL is set.

Tasks register on the one `huey` object at import time; `configure_jobs` points it at the real
queue once settings are known. Until then enqueueing fails loudly instead of losing work.
"""

from __future__ import annotations

import logging
from typing import Any

from huey import Huey
from huey.consumer import Consumer
from huey.storage import BlackHoleStorage, RedisStorage, SqliteStorage

from core.settings import Settings

log = logging.getLogger("academy.jobs")
QUEUE_NAME = "academy"


class _UnconfiguredStorage(BlackHoleStorage):  # type: ignore[misc]
    def enqueue(self, data: Any, priority: Any = None) -> None:
        raise RuntimeError("jobs are not configured: call core.jobs.configure_jobs(settings) first")


huey = Huey(QUEUE_NAME, storage_class=_UnconfiguredStorage, utc=True)


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
