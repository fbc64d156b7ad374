"""What a principal may see of a course. One function decides it, and the retriever and the
agents' tools reuse it later, so the catalogue, search and chat can never disagree."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Forbidden
from core.principal import COURSES_READ, LEARN, Principal
from core.tenancy import in_store, select_in_store
from courses.models import Course, Enrollment, Lesson

Reader = Literal["creator", "learner"]
LockReason = Literal["draft", "not_enrolled", "drip"]


@dataclass(frozen=True)
class LessonAccess:
    visible: bool
    reason: LockReason | None = None
    unlocks_at: datetime | None = None


def reader_kind(principal: Principal) -> Reader:
    """Creators read everything of their store; learners read what access rules allow."""
    if principal.has(COURSES_READ):
        return "creator"
    if principal.has(LEARN):
        return "learner"
    raise Forbidden("this credential cannot read courses", extra={"scope": COURSES_READ})


def active_enrollment(session: Session, principal: Principal, course_id: str) -> Enrollment | None:
    return session.scalar(
        select(Enrollment).where(
            Enrollment.course_id == course_id,
            Enrollment.user_id == principal.user_id,
            in_store(Enrollment, principal),
            Enrollment.revoked_at.is_(None),
        )
    )


def lesson_access(
    reader: Reader, course: Course, lesson: Lesson, enrollment: Enrollment | None, now: datetime
) -> LessonAccess:
    if reader == "creator":
        return LessonAccess(True)
    if course.status != "published" or lesson.status != "published":
        return LessonAccess(False, "draft")
    if lesson.is_preview:
        return LessonAccess(True)
    if enrollment is None:
        return LessonAccess(False, "not_enrolled")
    unlocks_at = enrollment.granted_at + timedelta(days=lesson.drip_days)
    if unlocks_at > now:
        return LessonAccess(False, "drip", unlocks_at)
    return LessonAccess(True)


def visible_lesson_ids(
    session: Session, principal: Principal, course: Course, lessons: Iterable[Lesson], now: datetime
) -> set[str]:
    reader = reader_kind(principal)
    enrollment = active_enrollment(session, principal, course.id) if reader == "learner" else None
    return {lesson.id for lesson in lessons if lesson_access(reader, course, lesson, enrollment, now).visible}


@dataclass(frozen=True)
class ReadScope:
    """What retrieval may return to a principal: `None` means no limit on that level."""

    store_id: str
    course_ids: list[str] | None
    lesson_ids: list[str] | None


def read_scope(session: Session, principal: Principal, course_id: str | None, now: datetime) -> ReadScope:
    """The store, course and lesson limits for searching: creators see their whole store (or one
    course of it); learners only lessons `lesson_access` opens to them, in published courses."""
    store_id = principal.require_store()
    reader = reader_kind(principal)
    course_query = select_in_store(Course, store_id)
    if course_id is not None:
        course_query = course_query.where(Course.id == course_id)
    if reader == "creator":
        if course_id is not None and session.scalar(course_query.with_only_columns(Course.id)) is None:
            return ReadScope(store_id, [], [])
        return ReadScope(store_id, [course_id] if course_id else None, None)
    courses = {c.id: c for c in session.scalars(course_query.where(Course.status == "published"))}
    if not courses:
        return ReadScope(store_id, [], [])
    enrollments = {
        e.course_id: e
        for e in session.scalars(
            select(Enrollment).where(
                Enrollment.user_id == principal.user_id,
                in_store(Enrollment, store_id),
                Enrollment.revoked_at.is_(None),
                Enrollment.course_id.in_(list(courses)),
            )
        )
    }
    lessons = session.scalars(select(Lesson).where(Lesson.course_id.in_(list(courses))))
    visible = [
        lesson.id
        for lesson in lessons
        if lesson_access("learner", courses[lesson.course_id], lesson, enrollments.get(lesson.course_id), now).visible
    ]
    return ReadScope(store_id, sorted(courses), sorted(visible))
