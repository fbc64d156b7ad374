"""Course tools for creators: build and edit courses, modules and lessons, reorder them, publish,
and read enrollments and per-lesson completions. Each change of lesson content announces itself
(`courses.changes`), so the search index follows it after the commit."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from core.principal import COURSES_WRITE, ENROLLMENTS_READ
from courses import catalog, changes, enrollments, stats
from courses.models import Course, Lesson, Module
from tools.base import ToolContext, ToolInput
from tools.declare import ActionInput, ToolSet

TOOLS = ToolSet("courses")
WRITERS = (COURSES_WRITE,)


class CourseOut(BaseModel):
    course_id: str
    slug: str
    title: str
    description: str
    status: str
    is_free: bool


def _course(course: Course) -> CourseOut:
    return CourseOut(
        course_id=course.id,
        slug=course.slug,
        title=course.title,
        description=course.description,
        status=course.status,
        is_free=course.is_free,
    )


class ModuleOut(BaseModel):
    module_id: str
    course_id: str
    title: str
    position: int


def _module(module: Module) -> ModuleOut:
    return ModuleOut(module_id=module.id, course_id=module.course_id, title=module.title, position=module.position)


class LessonOut(BaseModel):
    lesson_id: str
    module_id: str
    course_id: str
    title: str
    status: str
    is_preview: bool
    drip_days: int
    position: int
    words: int


def _lesson(lesson: Lesson) -> LessonOut:
    return LessonOut(
        lesson_id=lesson.id,
        module_id=lesson.module_id,
        course_id=lesson.course_id,
        title=lesson.title,
        status=lesson.status,
        is_preview=lesson.is_preview,
        drip_days=lesson.drip_days,
        position=lesson.position,
        words=len(lesson.body_md.split()),
    )


class CreateCourseIn(ActionInput):
    title: str = Field(min_length=1, max_length=300)
    slug: str = Field(min_length=1, max_length=64, description="Lowercase words and dashes.")
    description: str = Field(default="", max_length=5000)
    is_free: bool = False


@TOOLS.tool(scopes=WRITERS, side_effect="write")
def create_course(ctx: ToolContext, args: CreateCourseIn) -> CourseOut:
    """Create a draft course in your store."""
    with ctx.transaction() as session:
        course = catalog.create_course(
            session, ctx.principal, slug=args.slug, title=args.title, description=args.description, is_free=args.is_free
        )
        return _course(course)


class UpdateCourseIn(ActionInput):
    course_id: str
    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=5000)
    is_free: bool | None = None


def _set(args: BaseModel, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(args, name) for name in names if getattr(args, name) is not None}


@TOOLS.tool(scopes=WRITERS, side_effect="write")
def update_course(ctx: ToolContext, args: UpdateCourseIn) -> CourseOut:
    """Change a course's title, description or price flag (not its status: use publish_course)."""
    with ctx.transaction() as session:
        course = catalog.update_course(
            session, ctx.principal, args.course_id, _set(args, ("title", "description", "is_free"))
        )
        changes.content_changed(session, course.store_id, course.id)
        return _course(course)


class PublishIn(ActionInput):
    course_id: str
    published: bool = Field(default=True, description="False takes the course back to draft.")


@TOOLS.tool(scopes=WRITERS, side_effect="publish")
def publish_course(ctx: ToolContext, args: PublishIn) -> CourseOut:
    """Publish a course so learners can see it (or take it back to draft)."""
    with ctx.transaction() as session:
        course = catalog.publish_course(session, ctx.principal, args.course_id, args.published)
        changes.content_changed(session, course.store_id, course.id)
        return _course(course)


class CreateModuleIn(ActionInput):
    course_id: str
    title: str = Field(min_length=1, max_length=300)


@TOOLS.tool(scopes=WRITERS, side_effect="write")
def create_module(ctx: ToolContext, args: CreateModuleIn) -> ModuleOut:
    """Add a module at the end of a course."""
    with ctx.transaction() as session:
        return _module(catalog.create_module(session, ctx.principal, args.course_id, args.title))


class UpdateModuleIn(ActionInput):
    module_id: str
    title: str = Field(min_length=1, max_length=300)


@TOOLS.tool(scopes=WRITERS, side_effect="write")
def update_module(ctx: ToolContext, args: UpdateModuleIn) -> ModuleOut:
    """Rename a module."""
    with ctx.transaction() as session:
        return _module(catalog.update_module(session, ctx.principal, args.module_id, args.title))


class CreateLessonIn(ActionInput):
    module_id: str
    title: str = Field(min_length=1, max_length=300)
    body_md: str = Field(default="", max_length=200_000, description="The lesson in markdown.")
    status: Literal["draft", "published"] = "draft"
    is_preview: bool = False
    drip_days: int = Field(default=0, ge=0, le=3650)


@TOOLS.tool(scopes=WRITERS, side_effect="write")
def create_lesson(ctx: ToolContext, args: CreateLessonIn) -> LessonOut:
    """Add a lesson at the end of a module (a draft unless you say published)."""
    with ctx.transaction() as session:
        lesson = catalog.create_lesson(
            session,
            ctx.principal,
            args.module_id,
            title=args.title,
            body_md=args.body_md,
            status=args.status,
            is_preview=args.is_preview,
            drip_days=args.drip_days,
        )
        changes.content_changed(session, lesson.store_id, lesson.course_id, [lesson.id])
        return _lesson(lesson)


class UpdateLessonIn(ActionInput):
    lesson_id: str
    title: str | None = Field(default=None, min_length=1, max_length=300)
    body_md: str | None = Field(default=None, max_length=200_000)
    status: Literal["draft", "published"] | None = None
    is_preview: bool | None = None
    drip_days: int | None = Field(default=None, ge=0, le=3650)
    module_id: str | None = Field(default=None, description="Move the lesson to another module of its course.")


@TOOLS.tool(scopes=WRITERS, side_effect="write")
def update_lesson(ctx: ToolContext, args: UpdateLessonIn) -> LessonOut:
    """Edit a lesson's title, body, status, preview flag or drip delay, or move it to another module."""
    names = ("title", "body_md", "status", "is_preview", "drip_days", "module_id")
    with ctx.transaction() as session:
        lesson = catalog.update_lesson(session, ctx.principal, args.lesson_id, _set(args, names))
        changes.content_changed(session, lesson.store_id, lesson.course_id, [lesson.id])
        return _lesson(lesson)


class ReorderIn(ActionInput):
    parent_id: str = Field(description="A course id (to order its modules) or a module id (to order its lessons).")
    ordered_ids: list[str] = Field(min_length=1, max_length=500, description="Every child id, in the new order.")


class ReorderOut(BaseModel):
    parent_id: str
    ordered_ids: list[str]


@TOOLS.tool(scopes=WRITERS, side_effect="write")
def reorder(ctx: ToolContext, args: ReorderIn) -> ReorderOut:
    """Put a course's modules, or a module's lessons, in a new order."""
    with ctx.transaction() as session:
        if args.parent_id.startswith("crs_"):
            items: list[Any] = catalog.reorder_modules(session, ctx.principal, args.parent_id, args.ordered_ids)
        else:
            items = catalog.reorder_lessons(session, ctx.principal, args.parent_id, args.ordered_ids)
        return ReorderOut(parent_id=args.parent_id, ordered_ids=[item.id for item in items])


class CourseIdIn(ToolInput):
    course_id: str


class EnrollmentOut(BaseModel):
    enrollment_id: str
    user_id: str
    source: str
    granted_at: datetime
    revoked_at: datetime | None


class EnrollmentsIn(ToolInput):
    course_id: str
    cursor: str | None = None
    limit: int = Field(default=50, ge=1, le=200)


class EnrollmentsOut(BaseModel):
    enrollments: list[EnrollmentOut]
    next_cursor: str | None


@TOOLS.tool(scopes=(ENROLLMENTS_READ,))
def list_enrollments(ctx: ToolContext, args: EnrollmentsIn) -> EnrollmentsOut:
    """Who is enrolled in a course (a page at a time)."""
    with ctx.transaction() as session:
        page = enrollments.list_enrollments(session, ctx.principal, args.course_id, args.cursor, args.limit)
        return EnrollmentsOut(
            enrollments=[
                EnrollmentOut(
                    enrollment_id=e.id,
                    user_id=e.user_id,
                    source=e.source,
                    granted_at=e.granted_at,
                    revoked_at=e.revoked_at,
                )
                for e in page.items
            ],
            next_cursor=page.next_cursor,
        )


class LessonStatOut(BaseModel):
    lesson_id: str
    title: str
    completions: int


class StatsOut(BaseModel):
    course_id: str
    active_enrollments: int
    revoked_enrollments: int
    learners_completed_all: int
    lessons: list[LessonStatOut]


@TOOLS.tool(scopes=(ENROLLMENTS_READ,))
def course_stats(ctx: ToolContext, args: CourseIdIn) -> StatsOut:
    """A course's enrollments and how many learners completed each published lesson."""
    with ctx.transaction() as session:
        s = stats.course_stats(session, ctx.principal, args.course_id)
    return StatsOut(
        course_id=s.course_id,
        active_enrollments=s.active_enrollments,
        revoked_enrollments=s.revoked_enrollments,
        learners_completed_all=s.learners_completed_all,
        lessons=[LessonStatOut(lesson_id=x.lesson_id, title=x.title, completions=x.completions) for x in s.lessons],
    )
