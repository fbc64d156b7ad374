"""Learners' questions to the course assistant, as the content-gap report reads them: each turn on a
course is one row (the question, how many passages the search found, whether the answer cited the
course). A learner records only their own, on a course they may read; creators read their store's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.principal import COURSES_READ, LEARN, Principal
from core.tenancy import in_store
from courses import catalog
from courses.models import CourseQuestion

MAX_QUESTION_CHARS = 500


def record(
    session: Session,
    principal: Principal,
    course_id: str,
    question: str,
    *,
    answered: bool,
    passages: int,
    run_id: str | None = None,
) -> CourseQuestion | None:
    """One learner turn; nothing for anyone else (a creator trying their own course is not a gap)."""
    principal.require(LEARN)
    text = " ".join(question.split())[:MAX_QUESTION_CHARS]
    if not text:
        return None
    course = catalog.readable_course(session, principal, course_id)
    row = CourseQuestion(
        store_id=course.store_id,
        course_id=course.id,
        user_id=principal.user_id,
        question=text,
        answered=answered,
        passages=passages,
        run_id=run_id,
    )
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class QuestionLog:
    asked: int  # every recorded turn in the window
    unanswered: list[CourseQuestion]


def unanswered(
    session: Session, principal: Principal, course_id: str, days: int, now: datetime | None = None
) -> QuestionLog:
    """The window's turns whose answer cited nothing of the course (refusals, and searches that found
    nothing), oldest first, with how many turns there were in all."""
    principal.require(COURSES_READ)
    course = catalog.course_in_store(session, principal, course_id)
    since = (now or utcnow()) - timedelta(days=days)
    where = (
        in_store(CourseQuestion, course.store_id),
        CourseQuestion.course_id == course.id,
        CourseQuestion.created_at >= since,
    )
    asked = int(session.scalar(select(func.count()).select_from(CourseQuestion).where(*where)) or 0)
    rows = session.scalars(
        select(CourseQuestion).where(*where, CourseQuestion.answered.is_(False)).order_by(CourseQuestion.created_at)
    )
    return QuestionLog(asked, list(rows))
