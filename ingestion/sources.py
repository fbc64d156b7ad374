"""What gets indexed for a course: the body of every published lesson, every document attached to
one, and the captions of the newest video made for one (`render_video` with a lesson, or
`attach_captions`: the WebVTT the video tool saves, read as any uploaded .vtt is, so an answer can cite
the moment of the video). Each is a *source* with a stable id (the lesson's, the document's, or
`<lesson>:captions`, which a newer video of the lesson replaces)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.storage.base import ObjectMissing, StorageProvider
from core.tenancy import belongs
from courses.models import Artifact, Course, Lesson, Module
from ingestion.loaders import LoadedDocument, Section, load_markdown, load_vtt
from ingestion.models import LessonDocument

log = logging.getLogger("academy.ingestion")


@dataclass(frozen=True)
class Source:
    source_id: str
    kind: str  # "lesson" | "document"
    store_id: str
    course_id: str
    course_slug: str
    module_id: str
    lesson_id: str
    lesson_title: str
    is_preview: bool
    drip_days: int
    document: LoadedDocument
    document_title: str | None = None


def document_from_sections(title: str, kind: str, sections: list[dict[str, object]]) -> LoadedDocument:
    return LoadedDocument(
        title,
        kind,
        [
            Section(
                heading_path=[str(p) for p in s.get("heading_path", [title])],  # type: ignore[attr-defined]
                text=str(s.get("text", "")),
                anchor=s.get("anchor") if isinstance(s.get("anchor"), str) else None,  # type: ignore[arg-type]
                start_s=float(s["start_s"]) if s.get("start_s") is not None else None,  # type: ignore[arg-type]
                end_s=float(s["end_s"]) if s.get("end_s") is not None else None,  # type: ignore[arg-type]
            )
            for s in sections
        ],
    )


def sections_to_json(document: LoadedDocument) -> list[dict[str, object]]:
    return [
        {
            "heading_path": s.heading_path,
            "text": s.text,
            "anchor": s.anchor,
            "start_s": s.start_s,
            "end_s": s.end_s,
        }
        for s in document.sections
    ]


def course_sources(
    session: Session,
    store_id: str,
    course_id: str,
    only: set[str] | None = None,
    objects: StorageProvider | None = None,
) -> list[Source]:
    """Indexable sources of a course, in course order. A missing course yields none (so a job for a
    deleted course removes everything it had in the index). Video captions are read from `objects`
    (without it, as in an eval's scratch store, there are none)."""
    course = session.get(Course, course_id)
    if course is None or not belongs(course, store_id):
        return []
    rows = session.execute(
        select(Lesson, Module.position)
        .join(Module, Module.id == Lesson.module_id)
        .where(Lesson.course_id == course_id, Lesson.status == "published")
        .order_by(Module.position, Lesson.position, Lesson.id)
    )
    lessons = [lesson for lesson, _ in rows]
    by_id = {lesson.id: lesson for lesson in lessons}
    sources: list[Source] = []
    for lesson in lessons:
        if only is None or lesson.id in only:
            sources.append(_source(course, lesson, lesson.id, "lesson", load_markdown(lesson.body_md, lesson.title)))
    documents = session.scalars(
        select(LessonDocument).where(LessonDocument.course_id == course_id).order_by(LessonDocument.id)
    )
    for doc in documents:
        owner = by_id.get(doc.lesson_id)
        if owner is not None and (only is None or doc.id in only or doc.lesson_id in only):
            document = document_from_sections(doc.title, doc.kind, doc.sections)
            sources.append(_source(course, owner, doc.id, "document", document, doc.title))
    if objects is not None:
        sources += _captions(session, course, by_id, only, objects)
    return sources


def _captions(session: Session, course: Course, lessons: dict[str, Lesson], only: set[str] | None,
              objects: StorageProvider) -> list[Source]:  # fmt: skip
    """Each lesson's newest captions (one query for the course's, newest version first)."""
    rows = session.scalars(
        select(Artifact)
        .where(Artifact.course_id == course.id, Artifact.kind == "captions", Artifact.lesson_id.is_not(None))
        .order_by(Artifact.version.desc())
    )
    newest: dict[str, Artifact] = {}
    for artifact in rows:
        if artifact.lesson_id in lessons and artifact.lesson_id not in newest:
            newest[artifact.lesson_id] = artifact
    sources = []
    for lesson_id, artifact in newest.items():
        source_id = f"{lesson_id}:captions"
        if only is not None and source_id not in only and lesson_id not in only:
            continue
        title = artifact.title.removesuffix(" (captions)")
        try:
            text = objects.get(artifact.object_key).decode("utf-8", "replace")
        except ObjectMissing:  # the file went (a bucket cleaned by hand): the lesson is indexed without it
            log.warning("captions %s of lesson %s are missing from the object store", artifact.id, lesson_id)
            continue
        document = load_vtt(text, f"Video: {title}")
        sources.append(_source(course, lessons[lesson_id], source_id, "document", document, f"Video: {title}"))
    return sources


def _source(
    course: Course,
    lesson: Lesson,
    source_id: str,
    kind: str,
    document: LoadedDocument,
    title: str | None = None,
) -> Source:
    return Source(
        source_id=source_id,
        kind=kind,
        store_id=course.store_id,
        course_id=course.id,
        course_slug=course.slug,
        module_id=lesson.module_id,
        lesson_id=lesson.id,
        lesson_title=lesson.title,
        is_preview=lesson.is_preview,
        drip_days=lesson.drip_days,
        document=document,
        document_title=title,
    )
