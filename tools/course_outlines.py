"""Course tools that take a whole outline: create the draft course an outline describes, every module
and lesson with it, in one transaction (a course is created whole or not at all)."""

from __future__ import annotations

from pydantic import BaseModel

from core.principal import COURSES_WRITE
from courses import changes
from courses.outlines import MAX_LESSONS, MAX_MODULES, CourseOutline, create_from_outline
from rag.retriever import lesson_url
from tools.base import ToolContext
from tools.declare import ActionInput, ToolSet

TOOLS = ToolSet("courses")
__all__ = ["MAX_LESSONS", "MAX_MODULES", "TOOLS", "CourseOutline"]  # agents read the outline model here


class CreateFromOutlineIn(ActionInput):
    outline: CourseOutline


class BuiltLesson(BaseModel):
    lesson_id: str
    title: str
    objectives: list[str]


class BuiltModule(BaseModel):
    module_id: str
    title: str
    lessons: list[BuiltLesson]


class BuiltCourse(BaseModel):
    course_id: str
    slug: str
    title: str
    status: str
    modules: list[BuiltModule]
    url: str  # the first lesson's page, where the creator reads the draft


@TOOLS.tool(scopes=(COURSES_WRITE,), side_effect="write")
def create_course_from_outline(ctx: ToolContext, args: CreateFromOutlineIn) -> BuiltCourse:
    """Create a draft course from an outline: the course, its modules and its lessons, all or nothing.

    Each lesson's text is its objectives until it is written (`update_lesson`); the course stays a
    draft until `publish_course`."""
    with ctx.transaction() as session:
        built = create_from_outline(session, ctx.principal, args.outline)
        lesson_ids = [lesson.id for module in built.lessons for lesson in module]
        changes.content_changed(session, built.course.store_id, built.course.id, lesson_ids)
        return BuiltCourse(
            course_id=built.course.id,
            slug=built.course.slug,
            title=built.course.title,
            status=built.course.status,
            modules=[
                BuiltModule(
                    module_id=module.id,
                    title=module.title,
                    lessons=[
                        BuiltLesson(lesson_id=lesson.id, title=lesson.title, objectives=plan.objectives)
                        for lesson, plan in zip(lessons, module_plan.lessons, strict=True)
                    ],
                )
                for module, lessons, module_plan in zip(built.modules, built.lessons, args.outline.modules, strict=True)
            ],
            url=lesson_url(built.course.slug, lesson_ids[0], None),
        )
