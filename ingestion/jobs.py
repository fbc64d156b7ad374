"""Ingestion jobs: rows in the database that a Huey task runs. A job is enqueued only after the
transaction that created it commits, and a periodic sweep re-queues any job a crash or restart
left behind, so indexing work is never lost."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.db import Database, after_commit, utcnow
from core.principal import COURSES_READ, Principal
from core.storage.base import StorageProvider
from core.tenancy import get_in_store
from ingestion.models import IngestionJob
from ingestion.pipeline import Ingestor, IngestStats
from ingestion.sources import course_sources
from rag.runtime import RetrievalRuntime

log = logging.getLogger("academy.ingestion")
STALE_QUEUED = timedelta(seconds=30)
PROGRESS_EVERY = 5

Enqueue = Callable[[str], None]
_enqueue: Enqueue | None = None


def set_enqueuer(enqueue: Enqueue | None) -> None:
    """How a committed job reaches the queue (the Huey task, installed by `ingestion.tasks`)."""
    global _enqueue
    _enqueue = enqueue


def request_index(
    session: Session,
    store_id: str,
    course_id: str,
    source_ids: list[str] | None = None,
    reason: str = "reindex",
) -> IngestionJob:
    """Record indexing work for a course (all of it, or some lessons/documents)."""
    job = IngestionJob(store_id=store_id, course_id=course_id, source_ids=source_ids, reason=reason)
    session.add(job)
    session.flush()
    job_id = job.id
    after_commit(session, lambda: _enqueue(job_id) if _enqueue else None)
    return job


def get_job(session: Session, principal: Principal, job_id: str) -> IngestionJob:
    principal.require(COURSES_READ)
    job = get_in_store(session, IngestionJob, job_id, principal, "ingestion job")
    return job


def run_job(
    db: Database,
    runtime: RetrievalRuntime,
    job_id: str,
    on_progress: Callable[[int, int], None] | None = None,
    objects: StorageProvider | None = None,
) -> IngestionJob | None:
    """Run one job to completion; safe to call again for the same job (the pipeline is idempotent)."""
    with db.transaction() as session:
        claimed = session.execute(
            update(IngestionJob)
            .where(IngestionJob.id == job_id, IngestionJob.status == "queued")
            .values(
                status="running",
                started_at=utcnow(),
                attempts=IngestionJob.attempts + 1,
                processed=0,
                error=None,
            )
        )
        job = session.get(IngestionJob, job_id)
        if job is None or not getattr(claimed, "rowcount", 0):
            return job  # done already, or another worker holds it
        store_id, course_id, only = job.store_id, job.course_id, job.source_ids
    try:
        with db.transaction() as session:
            sources = course_sources(session, store_id, course_id, set(only) if only else None, objects)
        ingestor = Ingestor(runtime)

        def progress(done: int, total: int, stats: IngestStats) -> None:
            if on_progress:
                on_progress(done, total)
            if done == total or done % PROGRESS_EVERY == 0:
                _record(db, job_id, done, total, stats, "running")

        _record(db, job_id, 0, len(sources), IngestStats(), "running")
        stats = ingestor.sync_course(store_id, course_id, sources, complete=only is None, progress=progress)
        if only:
            found = {s.source_id for s in sources} | {s.lesson_id for s in sources}
            stats.deleted += ingestor.remove_sources(store_id, [sid for sid in only if sid not in found])
        runtime.index.flush()
        if stats.embedded or stats.deleted:
            runtime.index.optimize()
        _record(db, job_id, len(sources), len(sources), stats, "completed")
    except Exception as exc:
        log.exception("ingestion job %s failed", job_id)
        with db.transaction() as session:
            failed = session.get(IngestionJob, job_id)
            if failed is not None:
                failed.status, failed.finished_at = "failed", utcnow()
                failed.error = f"{type(exc).__name__}: {exc}"[:2000] or traceback.format_exc(limit=1)
    with db.transaction() as session:
        return session.get(IngestionJob, job_id)


def _record(db: Database, job_id: str, done: int, total: int, stats: IngestStats, status: str) -> None:
    with db.transaction() as session:
        values: dict[str, object] = {
            "processed": done,
            "total": total,
            "chunks": stats.chunks,
            "embedded": stats.embedded,
            "reused": stats.reused,
            "deleted": stats.deleted,
            "status": status,
        }
        if status == "completed":
            values["finished_at"] = utcnow()
        session.execute(update(IngestionJob).where(IngestionJob.id == job_id).values(**values))


def recover(db: Database, *, restarted: bool) -> list[str]:
    """Jobs to run again: queued ones nobody picked up, and (after a restart) running ones the
    previous process did not finish."""
    with db.transaction() as session:
        if restarted:
            session.execute(update(IngestionJob).where(IngestionJob.status == "running").values(status="queued"))
        query = select(IngestionJob.id).where(IngestionJob.status == "queued")
        if not restarted:
            query = query.where(IngestionJob.created_at < utcnow() - STALE_QUEUED)
        return list(session.scalars(query.order_by(IngestionJob.created_at)))
