"""Drip schedule: a lesson with `drip_days = n` opens n days after the learner's enrollment.

Access is always computed from the schedule (see `courses.access`); this job only records each
unlock once, so that notifications and agents can react to it exactly once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from courses.models import Course, Enrollment, Lesson, LessonUnlock


def record_unlocks(session: Session, now: datetime) -> int:
    """Write a `LessonUnlock` for every drip lesson that is open now and was not yet recorded."""
    rows = session.execute(
        select(Enrollment, Lesson)
        .join(Course, Course.id == Enrollment.course_id)
        .join(Lesson, Lesson.course_id == Enrollment.course_id)
        .outerjoin(
            LessonUnlock,
            and_(LessonUnlock.enrollment_id == Enrollment.id, LessonUnlock.lesson_id == Lesson.id),
        )
        .where(
            Enrollment.revoked_at.is_(None),
            Course.status == "published",
            Lesson.status == "published",
            Lesson.drip_days > 0,
            Lesson.is_preview.is_(False),
            LessonUnlock.id.is_(None),
        )
    )
    written = 0
    for enrollment, lesson in rows:
        unlocks_at = enrollment.granted_at + timedelta(days=lesson.drip_days)
        if unlocks_at <= now:
            session.add(
                LessonUnlock(
                    store_id=enrollment.store_id,
                    enrollment_id=enrollment.id,
                    lesson_id=lesson.id,
                    unlocked_at=unlocks_at,
                )
            )
            written += 1
    session.flush()
    return written
