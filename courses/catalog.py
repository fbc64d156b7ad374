"""Courses, modules and lessons: creating, editing, publishing, ordering and reading them.

Writes need `courses:write`; reads give creators everything in their store and learners only
published courses. A resource of another store is reported exactly like a missing one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.errors import Conflict, Forbidden, NotFound, invalid
from core.identity import check_slug, get_store_by_slug
from core.models import Store
from core.pagination import Page, paginate
from core.principal import COURSES_WRITE, Principal
from core.tenancy import get_in_store, in_store, select_in_store
from courses.access import LessonAccess, active_enrollment, lesson_access, reader_kind
from courses.models import Course, Lesson, Module

STATUSES = ("draft", "published")
MAX_DRIP_DAYS = 3650


# --- lookups -------------------------------------------------------------------------------


def _course_in_store(session: Session, principal: Principal, course_id: str) -> Course:
    course = get_in_store(session, Course, course_id, principal, "course")
    return course


def course_in_store(session: Session, principal: Principal, course_id: str) -> Course:
    """A course of the caller's store, drafts included (for creators' reports); else 404."""
    return _course_in_store(session, principal, course_id)


def _module_in_store(session: Session, principal: Principal, module_id: str) -> Module:
    module = get_in_store(session, Module, module_id, principal, "module")
    return module


def _lesson_in_store(session: Session, principal: Principal, lesson_id: str) -> Lesson:
    lesson = get_in_store(session, Lesson, lesson_id, principal, "lesson")
    return lesson


def readable_course(session: Session, principal: Principal, course_id: str) -> Course:
    """A course the principal may read at all: any of the store for creators, published for learners."""
    reader = reader_kind(principal)
    course = _course_in_store(session, principal, course_id)
    if reader == "learner" and course.status != "published":
        raise NotFound(f"course '{course_id}' not found")
    return course


def course_by_slug(session: Session, principal: Principal, slug: str) -> Course:
    course_id = session.scalar(select(Course.id).where(in_store(Course, principal), Course.slug == slug))
    if course_id is None:
        raise NotFound(f"course '{slug}' not found")
    return readable_course(session, principal, course_id)


def _check_status(status: str) -> str:
    if status not in STATUSES:
        raise invalid("status", f"must be one of {', '.join(STATUSES)}")
    return status


def _check_drip(days: int) -> int:
    if not 0 <= days <= MAX_DRIP_DAYS:
        raise invalid("drip_days", f"must be between 0 and {MAX_DRIP_DAYS}")
    return days


# --- courses -------------------------------------------------------------------------------


def create_course(
    session: Session,
    principal: Principal,
    *,
    slug: str,
    title: str,
    description: str = "",
    attribution: str = "",
    is_free: bool = False,
) -> Course:
    principal.require(COURSES_WRITE)
    store_id = principal.require_store()
    check_slug(slug)
    _ensure_free_slug(session, store_id, slug)
    course = Course(
        store_id=store_id,
        slug=slug,
        title=title,
        description=description,
        attribution=attribution,
        is_free=is_free,
    )
    session.add(course)
    session.flush()
    return course


def _ensure_free_slug(session: Session, store_id: str, slug: str, except_id: str | None = None) -> None:
    taken = session.scalar(select(Course.id).where(in_store(Course, store_id), Course.slug == slug))
    if taken is not None and taken != except_id:
        raise Conflict(f"a course with slug '{slug}' already exists in this store", extra={"field": "slug"})


def list_courses(session: Session, principal: Principal, cursor: str | None, limit: int) -> Page[Course]:
    reader = reader_kind(principal)
    query = select_in_store(Course, principal)
    if reader == "learner":
        query = query.where(Course.status == "published")
    return paginate(session, query, Course.id, cursor, limit)


def update_course(session: Session, principal: Principal, course_id: str, changes: dict[str, Any]) -> Course:
    principal.require(COURSES_WRITE)
    course = _course_in_store(session, principal, course_id)
    if "slug" in changes and changes["slug"] != course.slug:
        check_slug(changes["slug"])
        _ensure_free_slug(session, course.store_id, changes["slug"], except_id=course.id)
    if "status" in changes:
        status = _check_status(changes.pop("status"))
        if status != course.status:
            principal.require_attended("publish", "changing a course's status (POST /v1/courses/{id}/publish)")
        if status == "published":
            _check_publishable(session, course)  # the same rule as POST /publish: no way around it
        set_course_status(course, status)
    for name in ("slug", "title", "description", "attribution", "is_free"):
        if name in changes:
            setattr(course, name, changes[name])
    session.flush()
    return course


def set_course_status(course: Course, status: str) -> None:
    if status == "published" and course.status != "published":
        course.published_at = utcnow()
    course.status = status


def _check_publishable(session: Session, course: Course) -> None:
    count = session.scalar(
        select(func.count(Lesson.id)).where(Lesson.course_id == course.id, Lesson.status == "published")
    )
    if not count:
        raise Conflict("a course needs at least one published lesson before it can be published")


def publish_course(session: Session, principal: Principal, course_id: str, published: bool = True) -> Course:
    principal.require(COURSES_WRITE)
    principal.require_attended("publish", "publishing a course" if published else "taking a course back to draft")
    course = _course_in_store(session, principal, course_id)
    if published:
        _check_publishable(session, course)
    set_course_status(course, "published" if published else "draft")
    session.flush()
    return course


def delete_course(session: Session, principal: Principal, course_id: str) -> None:
    principal.require(COURSES_WRITE)
    session.delete(_course_in_store(session, principal, course_id))
    session.flush()


# --- modules -------------------------------------------------------------------------------


def _next_position(session: Session, column: Any, where: Any) -> int:
    current = session.scalar(select(func.max(column)).where(where))
    return 0 if current is None else int(current) + 1


def create_module(session: Session, principal: Principal, course_id: str, title: str) -> Module:
    principal.require(COURSES_WRITE)
    course = _course_in_store(session, principal, course_id)
    module = Module(
        store_id=course.store_id,
        course_id=course.id,
        title=title,
        position=_next_position(session, Module.position, Module.course_id == course.id),
    )
    session.add(module)
    session.flush()
    return module


def list_modules(session: Session, principal: Principal, course_id: str) -> list[Module]:
    course = readable_course(session, principal, course_id)
    return list(
        session.scalars(select(Module).where(Module.course_id == course.id).order_by(Module.position, Module.id))
    )


def update_module(session: Session, principal: Principal, module_id: str, title: str) -> Module:
    principal.require(COURSES_WRITE)
    module = _module_in_store(session, principal, module_id)
    module.title = title
    session.flush()
    return module


def delete_module(session: Session, principal: Principal, module_id: str) -> Module:
    principal.require(COURSES_WRITE)
    module = _module_in_store(session, principal, module_id)
    session.delete(module)
    session.flush()
    return module


def _reorder(items: Sequence[Any], ordered_ids: list[str], what: str) -> None:
    by_id = {item.id: item for item in items}
    if len(ordered_ids) != len(set(ordered_ids)) or set(ordered_ids) != set(by_id):
        raise invalid("ids", f"must list every {what} of the parent exactly once")
    for position, item_id in enumerate(ordered_ids):
        by_id[item_id].position = position


def reorder_modules(session: Session, principal: Principal, course_id: str, ordered_ids: list[str]) -> list[Module]:
    principal.require(COURSES_WRITE)
    course = _course_in_store(session, principal, course_id)
    modules = list(session.scalars(select(Module).where(Module.course_id == course.id)))
    _reorder(modules, ordered_ids, "module")
    session.flush()
    return sorted(modules, key=lambda m: m.position)


# --- lessons -------------------------------------------------------------------------------


def create_lesson(
    session: Session,
    principal: Principal,
    module_id: str,
    *,
    title: str,
    body_md: str = "",
    is_preview: bool = False,
    drip_days: int = 0,
    status: str = "published",
    section: str | None = None,
    source_ref: str | None = None,
) -> Lesson:
    principal.require(COURSES_WRITE)
    module = _module_in_store(session, principal, module_id)
    lesson = Lesson(
        store_id=module.store_id,
        course_id=module.course_id,
        module_id=module.id,
        title=title,
        body_md=body_md,
        is_preview=is_preview,
        drip_days=_check_drip(drip_days),
        status=_check_status(status),
        section=section,
        source_ref=source_ref,
        position=_next_position(session, Lesson.position, Lesson.module_id == module.id),
    )
    session.add(lesson)
    session.flush()
    return lesson


def list_lessons(session: Session, principal: Principal, module_id: str) -> list[Lesson]:
    """A module's lessons in order; learners never see draft lessons (not even their titles)."""
    module = _module_in_store(session, principal, module_id)
    readable_course(session, principal, module.course_id)
    query = select(Lesson).where(Lesson.module_id == module.id)
    if reader_kind(principal) == "learner":
        query = query.where(Lesson.status == "published")
    return list(session.scalars(query.order_by(Lesson.position, Lesson.id)))


@dataclass(frozen=True)
class LessonView:
    lesson: Lesson
    access: LessonAccess


def read_lesson(session: Session, principal: Principal, lesson_id: str, now: datetime | None = None) -> Lesson:
    """The lesson with its body, or a 403 that says why it is locked for this learner."""
    lesson = _lesson_in_store(session, principal, lesson_id)
    course = readable_course(session, principal, lesson.course_id)
    reader = reader_kind(principal)
    enrollment = active_enrollment(session, principal, course.id) if reader == "learner" else None
    access = lesson_access(reader, course, lesson, enrollment, now or utcnow())
    if access.reason == "draft":
        raise NotFound(f"lesson '{lesson_id}' not found")
    if not access.visible:
        if access.reason == "drip" and access.unlocks_at is not None:
            raise Forbidden(
                f"this lesson unlocks on {access.unlocks_at.isoformat()}",
                extra={"reason": "drip", "unlocks_at": access.unlocks_at.isoformat()},
            )
        raise Forbidden("enroll in this course to read this lesson", extra={"reason": "not_enrolled"})
    return lesson


def update_lesson(session: Session, principal: Principal, lesson_id: str, changes: dict[str, Any]) -> Lesson:
    principal.require(COURSES_WRITE)
    lesson = _lesson_in_store(session, principal, lesson_id)
    if "status" in changes:
        _check_status(changes["status"])
    if "drip_days" in changes:
        _check_drip(changes["drip_days"])
    if "module_id" in changes and changes["module_id"] != lesson.module_id:
        target = _module_in_store(session, principal, changes["module_id"])
        if target.course_id != lesson.course_id:
            raise invalid("module_id", "a lesson can only move to a module of the same course")
        position = _next_position(session, Lesson.position, Lesson.module_id == target.id)
        lesson.module_id, lesson.position = target.id, position
    for name in ("title", "body_md", "is_preview", "drip_days", "status", "section"):
        if name in changes:
            setattr(lesson, name, changes[name])
    session.flush()
    return lesson


def delete_lesson(session: Session, principal: Principal, lesson_id: str) -> Lesson:
    principal.require(COURSES_WRITE)
    lesson = _lesson_in_store(session, principal, lesson_id)
    session.delete(lesson)
    session.flush()
    return lesson


def reorder_lessons(session: Session, principal: Principal, module_id: str, ordered_ids: list[str]) -> list[Lesson]:
    principal.require(COURSES_WRITE)
    module = _module_in_store(session, principal, module_id)
    lessons = list(session.scalars(select(Lesson).where(Lesson.module_id == module.id)))
    _reorder(lessons, ordered_ids, "lesson")
    session.flush()
    return sorted(lessons, key=lambda x: x.position)


# --- outline -------------------------------------------------------------------------------


@dataclass
class OutlineModule:
    module: Module
    lessons: list[LessonView] = field(default_factory=list)


def outline(session: Session, principal: Principal, course_id: str, now: datetime | None = None) -> list[OutlineModule]:
    """Modules and lessons in order, each lesson with what this principal may do with it.
    Learners do not see draft lessons at all; locked ones show with the reason."""
    course = readable_course(session, principal, course_id)
    reader = reader_kind(principal)
    enrollment = active_enrollment(session, principal, course.id) if reader == "learner" else None
    moment = now or utcnow()
    modules = {
        m.id: OutlineModule(m)
        for m in session.scalars(
            select(Module).where(Module.course_id == course.id).order_by(Module.position, Module.id)
        )
    }
    lessons = session.scalars(select(Lesson).where(Lesson.course_id == course.id).order_by(Lesson.position, Lesson.id))
    for lesson in lessons:
        access = lesson_access(reader, course, lesson, enrollment, moment)
        if access.reason == "draft":
            continue
        modules[lesson.module_id].lessons.append(LessonView(lesson, access))
    return list(modules.values())


def lesson_count(session: Session, course_id: str) -> int:
    return int(session.scalar(select(func.count(Lesson.id)).where(Lesson.course_id == course_id)) or 0)


def public_catalog(session: Session, store_slug: str) -> tuple[Store, list[Course]]:
    """A store's storefront: its published courses, readable without logging in."""
    store = get_store_by_slug(session, store_slug)
    if store is None:
        raise NotFound(f"no store '{store_slug}'")
    courses = list(
        session.scalars(select_in_store(Course, store.id).where(Course.status == "published").order_by(Course.id))
    )
    return store, courses
