"""Huey tasks that run ingestion jobs inside the process that owns the index."""

from __future__ import annotations

import logging

from huey import crontab
from sqlalchemy.orm import Session

from core.context import get_context
from core.jobs import huey
from core.storage.factory import make_storage_provider
from ingestion import jobs
from rag.runtime import get_runtime

log = logging.getLogger("academy.ingestion")


@huey.task(name="ingestion.run_job", retries=2, retry_delay=5)  # type: ignore[untyped-decorator]
def run_ingestion_job(job_id: str) -> str | None:
    context = get_context()
    objects = make_storage_provider(context.settings)
    job = jobs.run_job(context.db, get_runtime(context.settings), job_id, objects=objects)
    return job.status if job else None


@huey.periodic_task(crontab(minute="*"), name="ingestion.sweep")  # type: ignore[untyped-decorator]
def sweep_jobs() -> int:
    """Re-queue jobs whose hand-off to the queue was lost."""
    pending = jobs.recover(get_context().db, restarted=False)
    for job_id in pending:
        run_ingestion_job(job_id)
    return len(pending)


def enqueue(job_id: str) -> None:
    run_ingestion_job(job_id)


def index_change(session: Session, store_id: str, course_id: str, lesson_ids: list[str] | None) -> None:
    """A lesson's content changed: ask for it to be indexed again (a listener `wiring` installs)."""
    jobs.request_index(session, store_id, course_id, lesson_ids, reason="content-change")


def resume_after_restart() -> int:
    """On start: jobs the previous process left queued or running are queued again."""
    pending = jobs.recover(get_context().db, restarted=True)
    for job_id in pending:
        run_ingestion_job(job_id)
    if pending:
        log.info("re-queued %d ingestion job(s) left from before the restart", len(pending))
    return len(pending)
