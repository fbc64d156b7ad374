"""Enrollments (who may read a course) and lesson progress (what they have finished).

An enrollment is the course's view of its holder's entitlements (`core.entitlements`): grants,
self-enrollments and invitations write an entitlement, purchases do in `commerce`, and
`sync_enrollment` keeps the enrollment row in step with them, so access, drip, progress and the
course assistant's retrieval read one answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import activity, entitlements, invitations
from core.db import utcnow
from core.entitlements import Entitlement
from core.errors import Forbidden, NotFound, invalid
from core.identity import normalise_email
from core.models import Invitation, StoreMember, User
from core.pagination import Page, paginate
from core.principal import ENROLLMENTS_READ, ENROLLMENTS_WRITE, LEARN, Principal
from core.tenancy import get_in_store, in_store
from courses.access import lesson_access
from courses.catalog import _course_in_store, outline, read_lesson, readable_course
from courses.models import Course, Enrollment, LessonProgress

SOURCES = ("grant", "self", "purchase", "import")


def sync_enrollment(session: Session, entitlement: Entitlement) -> None:
    """Keep a course's enrollment in step with its holder's entitlements (the listener
    `core.entitlements` calls on every change, installed by `wiring`): enrolled while any entitlement
    to the course holds, since the earliest one's start (so drip lessons keep their schedule across a dispute), revoked
    when none does. Every reader of enrollments therefore sees exactly what was paid for or given."""
    if entitlement.resource_kind != "course":
        return
    now = utcnow()
    store_id, user_id, course_id = entitlement.store_id, entitlement.user_id, entitlement.resource_id
    holding = sorted(
        (e for e in entitlements.held(session, store_id, user_id, "course", course_id) if e.holds(now)),
        key=lambda e: e.starts_at,
    )
    enrollment = session.scalar(
        select(Enrollment).where(Enrollment.course_id == course_id, Enrollment.user_id == user_id)
    )
    if not holding:
        if enrollment is not None and enrollment.revoked_at is None:
            enrollment.revoked_at = now
            session.flush()
        return
    first = holding[0]
    if enrollment is None:
        enrollment = Enrollment(store_id=store_id, course_id=course_id, user_id=user_id)
        session.add(enrollment)
    enrollment.revoked_at, enrollment.granted_at, enrollment.source = None, first.starts_at, first.source
    session.flush()
    activity.record(session, store_id, user_id, "enrollment", f"{enrollment.id}:{first.starts_at.isoformat()}",
                    course_id=course_id)  # fmt: skip


def _activate(session: Session, store_id: str, course_id: str, user_id: str, source: str) -> Enrollment:
    entitlements.grant(session, store_id, user_id, "course", course_id, source)
    enrollment = session.scalar(
        select(Enrollment).where(Enrollment.course_id == course_id, Enrollment.user_id == user_id)
    )
    assert enrollment is not None  # sync_enrollment made it
    return enrollment


def _store_member(session: Session, store_id: str, email: str) -> User | None:
    """The user with this email if they belong to the store already (a store knows its members)."""
    return session.scalar(
        select(User)
        .join(StoreMember, StoreMember.user_id == User.id)
        .where(in_store(StoreMember, store_id), User.email == normalise_email(email))
    )


def grant_enrollment(
    session: Session, principal: Principal, course_id: str, email: str, source: str = "grant"
) -> Enrollment:
    """A creator gives a member of their store access to a course. Someone outside the store is
    never added by a creator: `grant_or_invite` invites them instead."""
    principal.require(ENROLLMENTS_WRITE)
    if source not in SOURCES:
        raise invalid("source", f"must be one of {', '.join(SOURCES)}")
    course = _course_in_store(session, principal, course_id)
    user = _store_member(session, course.store_id, email)
    if user is None:
        raise NotFound("no member of this store has this email; invite them instead", extra={"field": "email"})
    return _activate(session, course.store_id, course.id, user.id, source)


def grant_or_invite(
    session: Session, principal: Principal, course_id: str, email: str, source: str = "grant"
) -> Enrollment | Invitation:
    """A member is enrolled at once; anyone else (with an account or not, the answer is the same)
    gets an invitation to join the store and the course, which they accept through its link."""
    principal.require(ENROLLMENTS_WRITE)
    course = _course_in_store(session, principal, course_id)
    if _store_member(session, course.store_id, email) is not None:
        return grant_enrollment(session, principal, course_id, email, source)
    return invitations.invite(session, principal, email, "learner", course.id)


def accept_invitation(session: Session, secret: str, token: str, user: User) -> Invitation:
    """The invited person joins the store and, for a course invitation, is enrolled in it."""
    invitation = invitations.accept(session, secret, token, user)
    if invitation.course_id is not None:
        _activate(session, invitation.store_id, invitation.course_id, user.id, "grant")
    return invitation


def self_enroll(session: Session, principal: Principal, course_id: str) -> Enrollment:
    principal.require(LEARN)
    course = readable_course(session, principal, course_id)
    if not course.is_free:
        raise Forbidden("this course is not free; it can only be bought or granted", extra={"reason": "paid"})
    return _activate(session, course.store_id, course.id, principal.user_id, "self")


def revoke_enrollment(session: Session, principal: Principal, enrollment_id: str) -> Enrollment:
    principal.require(ENROLLMENTS_WRITE)
    enrollment = get_in_store(session, Enrollment, enrollment_id, principal, "enrollment")
    for held in entitlements.held(session, enrollment.store_id, enrollment.user_id, "course", enrollment.course_id):
        entitlements.set_status(session, held, "revoked", "revoked by the store")  # a purchase too
    session.refresh(enrollment)
    return enrollment


def list_enrollments(
    session: Session, principal: Principal, course_id: str, cursor: str | None, limit: int
) -> Page[Enrollment]:
    principal.require(ENROLLMENTS_READ)
    course = _course_in_store(session, principal, course_id)
    return paginate(session, select(Enrollment).where(Enrollment.course_id == course.id), Enrollment.id, cursor, limit)


def my_enrollments(session: Session, principal: Principal) -> list[tuple[Enrollment, Course]]:
    rows = session.execute(
        select(Enrollment, Course)
        .join(Course, Course.id == Enrollment.course_id)
        .where(
            Enrollment.user_id == principal.user_id,
            in_store(Enrollment, principal),
            Enrollment.revoked_at.is_(None),
            Course.status == "published",
        )
        .order_by(Enrollment.granted_at)
    )
    return [(e, c) for e, c in rows]


def enrollment_user(session: Session, enrollment: Enrollment) -> User:
    user = session.get(User, enrollment.user_id)
    assert user is not None
    return user


# --- progress ------------------------------------------------------------------------------


def complete_lesson(session: Session, principal: Principal, lesson_id: str) -> LessonProgress:
    """Idempotent: completing a lesson twice keeps the first completion time."""
    principal.require(LEARN)
    lesson = read_lesson(session, principal, lesson_id)
    existing = session.scalar(
        select(LessonProgress).where(LessonProgress.user_id == principal.user_id, LessonProgress.lesson_id == lesson.id)
    )
    if existing is not None:
        return existing
    progress = LessonProgress(
        store_id=lesson.store_id, user_id=principal.user_id, course_id=lesson.course_id, lesson_id=lesson.id
    )
    session.add(progress)
    session.flush()
    activity.record(session, lesson.store_id, principal.user_id, "lesson_completed", progress.id,
                    course_id=lesson.course_id, lesson_id=lesson.id)  # fmt: skip
    return progress


def uncomplete_lesson(session: Session, principal: Principal, lesson_id: str) -> None:
    principal.require(LEARN)
    lesson = read_lesson(session, principal, lesson_id)
    existing = session.scalar(
        select(LessonProgress).where(LessonProgress.user_id == principal.user_id, LessonProgress.lesson_id == lesson.id)
    )
    if existing is not None:
        session.delete(existing)
        session.flush()


@dataclass(frozen=True)
class CourseProgress:
    course_id: str
    completed_lesson_ids: list[str]
    available_lessons: int
    total_lessons: int
    next_lesson_id: str | None

    @property
    def percent(self) -> float:
        return round(100.0 * len(self.completed_lesson_ids) / self.total_lessons, 1) if self.total_lessons else 0.0


def course_progress(
    session: Session, principal: Principal, course_id: str, now: datetime | None = None
) -> CourseProgress:
    """Completed lessons in course order, and the first open lesson not yet done."""
    principal.require(LEARN)
    modules = outline(session, principal, course_id, now)
    done = set(
        session.scalars(
            select(LessonProgress.lesson_id).where(
                LessonProgress.user_id == principal.user_id, LessonProgress.course_id == course_id
            )
        )
    )
    ordered = [view for module in modules for view in module.lessons]
    completed = [v.lesson.id for v in ordered if v.lesson.id in done]
    next_id = next((v.lesson.id for v in ordered if v.access.visible and v.lesson.id not in done), None)
    return CourseProgress(
        course_id=course_id,
        completed_lesson_ids=completed,
        available_lessons=sum(1 for v in ordered if v.access.visible),
        total_lessons=len(ordered),
        next_lesson_id=next_id,
    )


__all__ = ["lesson_access"]
