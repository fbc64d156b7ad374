"""Files attached to lessons: read and checked on upload, stored as sections, then indexed."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import PayloadTooLarge
from core.principal import COURSES_READ, COURSES_WRITE, Principal
from core.tenancy import get_in_store
from courses.models import Lesson
from ingestion.jobs import request_index
from ingestion.loaders import load
from ingestion.models import IngestionJob, LessonDocument
from ingestion.sources import sections_to_json


@dataclass(frozen=True)
class Upload:
    document: LessonDocument
    job: IngestionJob | None
    created: bool


def _lesson(session: Session, principal: Principal, lesson_id: str, course_id: str | None = None) -> Lesson:
    lesson = get_in_store(
        session,
        Lesson,
        lesson_id,
        principal,
        "lesson",
        also=lambda row: not course_id or row.course_id == course_id,
        extra={"field": "lesson_id"},
    )
    return lesson


def add_document(
    session: Session,
    principal: Principal,
    course_id: str,
    lesson_id: str,
    filename: str,
    data: bytes,
    media_type: str | None,
    max_bytes: int,
) -> Upload:
    """Read the file first (a bad one is refused before anything is written), then store and index it.
    The same file uploaded to the same lesson again returns the existing document."""
    principal.require(COURSES_WRITE)
    lesson = _lesson(session, principal, lesson_id, course_id)
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"{filename}: {len(data)} bytes is over the upload limit of {max_bytes} bytes")
    digest = hashlib.sha256(data).hexdigest()
    existing = session.scalar(
        select(LessonDocument).where(LessonDocument.lesson_id == lesson.id, LessonDocument.sha256 == digest)
    )
    if existing is not None:
        return Upload(existing, None, False)
    loaded = load(filename, data, media_type)
    document = LessonDocument(
        store_id=lesson.store_id,
        course_id=lesson.course_id,
        lesson_id=lesson.id,
        filename=filename[:300],
        kind=loaded.kind,
        title=loaded.title[:300],
        size_bytes=len(data),
        sha256=digest,
        sections=sections_to_json(loaded),
    )
    session.add(document)
    session.flush()
    job = request_index(session, lesson.store_id, lesson.course_id, [document.id], reason="document")
    return Upload(document, job, True)


def list_documents(session: Session, principal: Principal, lesson_id: str) -> list[LessonDocument]:
    principal.require(COURSES_READ)
    lesson = _lesson(session, principal, lesson_id)
    return list(
        session.scalars(select(LessonDocument).where(LessonDocument.lesson_id == lesson.id).order_by(LessonDocument.id))
    )


def delete_document(session: Session, principal: Principal, document_id: str) -> IngestionJob:
    principal.require(COURSES_WRITE)
    document = get_in_store(session, LessonDocument, document_id, principal, "document")
    store_id, course_id = document.store_id, document.course_id
    session.delete(document)
    session.flush()
    return request_index(session, store_id, course_id, [document_id], reason="document-deleted")
