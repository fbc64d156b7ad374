"""Course statistics for its creator: enrollments, and completions per lesson."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.principal import ENROLLMENTS_READ, Principal
from courses.catalog import _course_in_store
from courses.models import Enrollment, Lesson, LessonProgress, Module


@dataclass(frozen=True)
class LessonStat:
    lesson_id: str
    title: str
    completions: int


@dataclass(frozen=True)
class CourseStats:
    course_id: str
    active_enrollments: int
    revoked_enrollments: int
    learners_completed_all: int
    lessons: list[LessonStat]


def course_stats(session: Session, principal: Principal, course_id: str) -> CourseStats:
    principal.require(ENROLLMENTS_READ)
    course = _course_in_store(session, principal, course_id)
    active = session.scalar(
        select(func.count(Enrollment.id)).where(Enrollment.course_id == course.id, Enrollment.revoked_at.is_(None))
    )
    revoked = session.scalar(
        select(func.count(Enrollment.id)).where(Enrollment.course_id == course.id, Enrollment.revoked_at.is_not(None))
    )
    completions = (
        select(LessonProgress.lesson_id, func.count(LessonProgress.id).label("n"))
        .where(LessonProgress.course_id == course.id)
        .group_by(LessonProgress.lesson_id)
        .subquery()
    )
    rows = session.execute(
        select(Lesson.id, Lesson.title, func.coalesce(completions.c.n, 0))
        .join(Module, Module.id == Lesson.module_id)
        .outerjoin(completions, completions.c.lesson_id == Lesson.id)
        .where(Lesson.course_id == course.id, Lesson.status == "published")
        .order_by(Module.position, Lesson.position)
    ).all()
    published = len(rows)
    finished = 0
    if published:
        per_user = (
            select(LessonProgress.user_id)
            .join(Lesson, Lesson.id == LessonProgress.lesson_id)
            .where(LessonProgress.course_id == course.id, Lesson.status == "published")
            .group_by(LessonProgress.user_id)
            .having(func.count(LessonProgress.id) >= published)
            .subquery()
        )
        finished = int(session.scalar(select(func.count()).select_from(per_user)) or 0)
    return CourseStats(
        course_id=course.id,
        active_enrollments=int(active or 0),
        revoked_enrollments=int(revoked or 0),
        learners_completed_all=finished,
        lessons=[LessonStat(lesson_id=r[0], title=r[1], completions=int(r[2])) for r in rows],
    )
