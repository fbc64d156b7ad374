"""Artifacts: the files agents make for a store (cheat-sheet and reference-guide PDFs, outlines,
later audio and video), versioned per course and kind, kept in the object store.

Who may see one is the course's rule: creators see every version of their store's artifacts;
a learner sees the latest version of each kind meant for learners (`FOR_LEARNERS`: a course's study
guides, a lesson's narration and video), and only for a published course they are enrolled in (a cheat
sheet summarises the whole course, so a preview lesson is not enough). The creator's working drafts
(outlines, social posts, a course's promotional video) are never a learner's. Anything else is "not
found", so an artifact's existence does not leak across stores or to outsiders."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import AppError, Conflict, NotFound, PayloadTooLarge, invalid
from core.ids import new_id
from core.principal import COURSES_WRITE, Principal
from core.storage import StorageProvider
from core.tenancy import belongs, in_store, select_in_store
from courses.access import active_enrollment, reader_kind
from courses.catalog import _course_in_store, read_lesson, readable_course
from courses.models import Artifact, Lesson

KINDS = ("cheat_sheet", "reference_guide", "course_outline", "audio", "image", "video", "captions", "social_posts")
CONTENT_TYPES = {
    "application/pdf": "pdf",
    "application/json": "json",
    "text/markdown": "md",
    "audio/mpeg": "mp3",
    "audio/wav": "wav",
    "image/png": "png",
    "video/mp4": "mp4",
    "text/vtt": "vtt",
}
# What a learner may open: of a course, its study guides; of a lesson, what plays on its page.
FOR_LEARNERS = {"course": ("cheat_sheet", "reference_guide"), "lesson": ("audio", "video", "image", "captions")}
MAX_BYTES = 50 * 1024 * 1024
TITLE_CHARS = 300


def file_url(artifact_id: str) -> str:
    """Where an artifact's file downloads (`GET /v1/artifacts/{id}/file`, the same access rules)."""
    return f"/v1/artifacts/{artifact_id}/file"


@dataclass(frozen=True)
class ArtifactFile:
    artifact: Artifact
    data: bytes

    @property
    def filename(self) -> str:
        stem = re.sub(r"[^A-Za-z0-9]+", "-", self.artifact.title).strip("-").lower()[:80] or self.artifact.kind
        return f"{stem}-v{self.artifact.version}.{CONTENT_TYPES[self.artifact.content_type]}"


def _check(kind: str, title: str, data: bytes, content_type: str) -> str:
    if kind not in KINDS:
        raise invalid("kind", f"must be one of {', '.join(KINDS)}")
    if content_type not in CONTENT_TYPES:
        raise invalid("content_type", f"must be one of {', '.join(CONTENT_TYPES)}")
    title = title.strip()
    if not title or len(title) > TITLE_CHARS:
        raise invalid("title", f"must be 1 to {TITLE_CHARS} characters")
    if not data:
        raise invalid("data", "an artifact cannot be empty")
    if len(data) > MAX_BYTES:
        raise PayloadTooLarge(f"an artifact may be at most {MAX_BYTES // (1024 * 1024)} MB")
    return title


def course_fingerprint(session: Session, principal: Principal, course_id: str) -> str:
    """A hash of what a course's artifacts are made from (its lessons' ids, titles, bodies, status,
    order), so an artifact can tell whether the course changed since it was made."""
    _course_in_store(session, principal, course_id)
    digest = hashlib.sha256()
    lessons = session.scalars(select(Lesson).where(Lesson.course_id == course_id).order_by(Lesson.id))
    for lesson in lessons:
        for part in (lesson.id, lesson.module_id, str(lesson.position), lesson.status, lesson.title, lesson.body_md):
            digest.update(part.encode())
            digest.update(b"\0")
    return digest.hexdigest()


def _latest(
    session: Session, store_id: str, course_id: str | None, kind: str, lesson_id: str | None = None
) -> Artifact | None:
    """The newest version of a course's kind, or of a lesson's when `lesson_id` is given."""
    query = select_in_store(Artifact, store_id).where(Artifact.kind == kind)
    if lesson_id is not None:
        query = query.where(Artifact.lesson_id == lesson_id)
    else:
        query = query.where(Artifact.lesson_id.is_(None))
        query = query.where(Artifact.course_id.is_(None) if course_id is None else Artifact.course_id == course_id)
    return session.scalar(query.order_by(Artifact.version.desc()).limit(1))


def lesson_fingerprint(lesson: Lesson, *extra: str) -> str:
    """A hash of what a lesson's artifact is made from (its title and body, and what else the maker
    names: a voice), so a narration can tell whether it is still the lesson's."""
    digest = hashlib.sha256()
    for part in (lesson.id, lesson.title, lesson.body_md, *extra):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def latest_for_lesson(session: Session, principal: Principal, lesson_id: str, kind: str) -> Artifact | None:
    """The newest `kind` of a lesson the principal may see (a learner: of a lesson they may read)."""
    found = _latest(session, principal.require_store(), None, kind, lesson_id)
    return found if found is not None and _visible(session, principal, found) else None


def save_artifact(
    session: Session,
    principal: Principal,
    objects: StorageProvider,
    *,
    course_id: str | None,
    kind: str,
    title: str,
    data: bytes,
    content_type: str,
    run_id: str | None = None,
    source_fingerprint: str | None = None,
    lesson_id: str | None = None,
) -> Artifact:
    """Store a new version of the course's `kind` (of the lesson's, when `lesson_id` is given). The
    same bytes as the latest version are that version (a retried or repeated generation makes no
    duplicate). The file is written before the row, under the new row's id, so a row never names a
    missing file; a row that fails to commit leaves an unreferenced file, not a broken artifact."""
    principal.require(COURSES_WRITE)
    store_id = principal.require_store()
    title = _check(kind, title, data, content_type)
    if course_id is not None:
        _course_in_store(session, principal, course_id)
    if lesson_id is not None:
        lesson = session.get(Lesson, lesson_id)
        if lesson is None or lesson.course_id != course_id:
            raise invalid("lesson_id", "must be a lesson of the course")
    digest = hashlib.sha256(data).hexdigest()
    latest = _latest(session, store_id, course_id, kind, lesson_id)
    if latest is not None and latest.content_hash == digest:
        return latest
    artifact_id = new_id("art")
    key = f"stores/{store_id}/artifacts/{artifact_id}.{CONTENT_TYPES[content_type]}"
    stored = objects.put(key, data, content_type)
    artifact = Artifact(
        id=artifact_id,
        store_id=store_id,
        course_id=course_id,
        lesson_id=lesson_id,
        kind=kind,
        title=title,
        version=(latest.version if latest else 0) + 1,
        content_hash=stored.sha256,
        content_type=content_type,
        size=stored.size,
        object_key=key,
        source_fingerprint=source_fingerprint,
        run_id=run_id,
        created_by=principal.user_id,
    )
    try:
        with session.begin_nested():
            session.add(artifact)
    except IntegrityError:
        objects.delete(key)
        raise Conflict(f"another version of this {kind} was saved at the same moment; try again") from None
    return artifact


def _visible(session: Session, principal: Principal, artifact: Artifact) -> bool:
    if not belongs(artifact, principal):
        return False
    if reader_kind(principal) == "creator":
        return True
    if artifact.course_id is None or not _for_learners(artifact.kind, artifact.lesson_id):
        return False
    try:
        readable_course(session, principal, artifact.course_id)
    except NotFound:
        return False
    if artifact.lesson_id is not None:  # a lesson's narration: for whoever may read the lesson
        try:
            read_lesson(session, principal, artifact.lesson_id)
        except AppError:
            return False
    elif active_enrollment(session, principal, artifact.course_id) is None:
        return False
    latest = _latest(session, artifact.store_id, artifact.course_id, artifact.kind, artifact.lesson_id)
    return latest is not None and latest.id == artifact.id


def _for_learners(kind: str, lesson_id: str | None) -> bool:
    return kind in FOR_LEARNERS["course" if lesson_id is None else "lesson"]


def get_artifact(session: Session, principal: Principal, artifact_id: str) -> Artifact:
    artifact = session.get(Artifact, artifact_id)
    if artifact is None or not _visible(session, principal, artifact):
        raise NotFound(f"artifact '{artifact_id}' not found")
    return artifact


def read_artifact(session: Session, principal: Principal, objects: StorageProvider, artifact_id: str) -> ArtifactFile:
    artifact = get_artifact(session, principal, artifact_id)
    return ArtifactFile(artifact, objects.get(artifact.object_key))


def list_artifacts(
    session: Session, principal: Principal, course_id: str | None = None, kind: str | None = None
) -> list[Artifact]:
    """Newest first. Creators get every version; learners the latest of each kind they may open."""
    store_id = principal.require_store()
    if kind is not None and kind not in KINDS:
        raise invalid("kind", f"must be one of {', '.join(KINDS)}")
    query = select_in_store(Artifact, store_id)
    if course_id is not None:
        query = query.where(Artifact.course_id == course_id)
    if kind is not None:
        query = query.where(Artifact.kind == kind)
    if reader_kind(principal) == "creator":
        return list(session.scalars(query.order_by(Artifact.created_at.desc(), Artifact.id.desc())))
    newest = (
        select(Artifact.course_id, Artifact.lesson_id, Artifact.kind, func.max(Artifact.version).label("version"))
        .where(in_store(Artifact, store_id), Artifact.course_id.is_not(None))
        .group_by(Artifact.course_id, Artifact.lesson_id, Artifact.kind)
        .subquery()
    )
    meant = (Artifact.lesson_id.is_(None) & Artifact.kind.in_(FOR_LEARNERS["course"])) | (
        Artifact.lesson_id.is_not(None) & Artifact.kind.in_(FOR_LEARNERS["lesson"])
    )
    query = query.where(meant).join(
        newest,
        (Artifact.course_id == newest.c.course_id)
        & Artifact.lesson_id.is_not_distinct_from(newest.c.lesson_id)
        & (Artifact.kind == newest.c.kind)
        & (Artifact.version == newest.c.version),
    )
    candidates = session.scalars(query.order_by(Artifact.created_at.desc(), Artifact.id.desc()))
    return [a for a in candidates if _visible(session, principal, a)]
