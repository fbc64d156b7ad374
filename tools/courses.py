"""Course tools for learners and anyone who reads a course: search, outline, progress, completion,
recommendation. Creators' authoring tools are in `tools/course_authoring.py`."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from core.principal import COURSES_READ, LEARN, Principal
from courses import catalog, enrollments
from rag.retriever import Retriever
from tools.base import ToolContext, ToolInput, ToolUnavailable
from tools.declare import ActionInput, ToolSet

READERS = (LEARN, COURSES_READ)
TOOLS = ToolSet("courses")


class SearchIn(ToolInput):
    query: str = Field(min_length=1, max_length=500, description="What to look for in the course content.")
    course_id: str | None = Field(default=None, description="Limit to one course.")
    limit: int = Field(default=4, ge=1, le=8)


class PassageOut(BaseModel):
    text: str
    course_id: str
    lesson_id: str
    lesson_title: str
    heading: str
    url: str
    start_s: float | None = None


class SearchOut(BaseModel):
    passages: list[PassageOut]


@TOOLS.tool(scopes=READERS)
def search_course_content(ctx: ToolContext, args: SearchIn) -> SearchOut:
    """Search the lessons you may read; returns passages with lesson, heading and link."""
    if ctx.retrieval is None:
        raise ToolUnavailable("course search is not available in this process")
    with ctx.transaction() as session:
        passages = Retriever(ctx.retrieval).search(session, ctx.principal, args.query, args.course_id, args.limit)
    return SearchOut(
        passages=[
            PassageOut(
                text=p.text,
                course_id=p.citation.course_id,
                lesson_id=p.citation.lesson_id,
                lesson_title=p.citation.lesson_title,
                heading=p.citation.heading,
                url=p.citation.url,
                start_s=p.citation.start_s,
            )
            for p in passages
        ]
    )


class CourseIn(ToolInput):
    course_id: str


class OutlineLesson(BaseModel):
    lesson_id: str
    title: str
    accessible: bool
    locked_reason: str | None


class OutlineModule(BaseModel):
    title: str
    lessons: list[OutlineLesson]


class OutlineOut(BaseModel):
    course_id: str
    title: str
    modules: list[OutlineModule]


@TOOLS.tool(scopes=READERS)
def get_course_outline(ctx: ToolContext, args: CourseIn) -> OutlineOut:
    """Modules and lessons of a course, with which ones are open to you."""
    with ctx.transaction() as session:
        course = catalog.readable_course(session, ctx.principal, args.course_id)
        modules = catalog.outline(session, ctx.principal, course.id)
        return OutlineOut(
            course_id=course.id,
            title=course.title,
            modules=[
                OutlineModule(
                    title=m.module.title,
                    lessons=[
                        OutlineLesson(
                            lesson_id=v.lesson.id,
                            title=v.lesson.title,
                            accessible=v.access.visible,
                            locked_reason=v.access.reason,
                        )
                        for v in m.lessons
                    ],
                )
                for m in modules
            ],
        )


class LessonReadIn(ToolInput):
    lesson_id: str


class LessonBodyOut(BaseModel):
    lesson_id: str
    course_id: str
    title: str
    body_md: str


@TOOLS.tool(scopes=READERS)
def read_lesson(ctx: ToolContext, args: LessonReadIn) -> LessonBodyOut:
    """A lesson's text, when you may read it (locked lessons say why not)."""
    with ctx.transaction() as session:
        lesson = catalog.read_lesson(session, ctx.principal, args.lesson_id)
        return LessonBodyOut(
            lesson_id=lesson.id, course_id=lesson.course_id, title=lesson.title, body_md=lesson.body_md
        )


class ProgressOut(BaseModel):
    course_id: str
    completed: int
    total: int
    percent: float
    next_lesson_id: str | None


@TOOLS.tool(scopes=(LEARN,))
def get_my_progress(ctx: ToolContext, args: CourseIn) -> ProgressOut:
    """How far you are in a course."""
    with ctx.transaction() as session:
        p = enrollments.course_progress(session, ctx.principal, args.course_id)
    return ProgressOut(
        course_id=p.course_id,
        completed=len(p.completed_lesson_ids),
        total=p.total_lessons,
        percent=p.percent,
        next_lesson_id=p.next_lesson_id,
    )


class LessonIn(ActionInput):
    lesson_id: str


class CompletionOut(BaseModel):
    lesson_id: str
    completed_at: str


@TOOLS.tool(scopes=(LEARN,), side_effect="write")
def mark_lesson_complete(ctx: ToolContext, args: LessonIn) -> CompletionOut:
    """Mark one of your open lessons as completed."""
    with ctx.transaction() as session:
        record = enrollments.complete_lesson(session, ctx.principal, args.lesson_id)
        return CompletionOut(lesson_id=record.lesson_id, completed_at=record.completed_at.isoformat())


class RecommendationOut(BaseModel):
    lesson_id: str | None
    title: str | None
    reason: str


@TOOLS.tool(scopes=(LEARN,))
def recommend_next_lesson(ctx: ToolContext, args: CourseIn) -> RecommendationOut:
    """The lesson you should take next in a course."""
    with ctx.transaction() as session:
        progress = enrollments.course_progress(session, ctx.principal, args.course_id)
        if progress.next_lesson_id is None:
            reason = (
                "every lesson open to you is complete" if progress.available_lessons else "no lesson is open to you yet"
            )
            return RecommendationOut(lesson_id=None, title=None, reason=reason)
        lesson = catalog.read_lesson(session, ctx.principal, progress.next_lesson_id)
        return RecommendationOut(
            lesson_id=lesson.id,
            title=lesson.title,
            reason=f"the first open lesson you have not completed ({len(progress.completed_lesson_ids)} done so far)",
        )


def check_course_readable(session: Session, principal: Principal, course_id: str) -> None:
    """For the agent runtime, which reaches services only through `tools`: a thread may name a course
    only if its caller may read it (404 otherwise), by the very rule every course read uses."""
    catalog.readable_course(session, principal, course_id)
