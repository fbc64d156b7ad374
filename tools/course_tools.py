"""The course assistant's tools: search, outline, progress, completion, recommendation, web search."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from core.principal import COURSES_READ, LEARN, Principal
from courses import catalog, enrollments
from rag.retriever import Retriever
from tools.base import Registry, Tool, ToolContext, ToolInput, ToolUnavailable

READERS = (LEARN, COURSES_READ)


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


def search_course_content(ctx: ToolContext, args: SearchIn) -> SearchOut:
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


def get_course_outline(ctx: ToolContext, args: CourseIn) -> OutlineOut:
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


class ProgressOut(BaseModel):
    course_id: str
    completed: int
    total: int
    percent: float
    next_lesson_id: str | None


def get_my_progress(ctx: ToolContext, args: CourseIn) -> ProgressOut:
    with ctx.transaction() as session:
        p = enrollments.course_progress(session, ctx.principal, args.course_id)
    return ProgressOut(
        course_id=p.course_id,
        completed=len(p.completed_lesson_ids),
        total=p.total_lessons,
        percent=p.percent,
        next_lesson_id=p.next_lesson_id,
    )


class LessonIn(ToolInput):
    lesson_id: str


class CompletionOut(BaseModel):
    lesson_id: str
    completed_at: str


def mark_lesson_complete(ctx: ToolContext, args: LessonIn) -> CompletionOut:
    with ctx.transaction() as session:
        record = enrollments.complete_lesson(session, ctx.principal, args.lesson_id)
        return CompletionOut(lesson_id=record.lesson_id, completed_at=record.completed_at.isoformat())


class RecommendationOut(BaseModel):
    lesson_id: str | None
    title: str | None
    reason: str


def recommend_next_lesson(ctx: ToolContext, args: CourseIn) -> RecommendationOut:
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


class WebSearchIn(ToolInput):
    query: str = Field(min_length=1, max_length=400)


class WebSearchOut(BaseModel):
    results: list[dict[str, str]]


def web_search(ctx: ToolContext, args: WebSearchIn) -> WebSearchOut:
    """Tavily, when a key is configured; otherwise the tool says plainly that it is off."""
    key = ctx.settings.tavily_api_key
    if key is None:
        raise ToolUnavailable("web search is off on this platform (no Tavily key is configured)")
    from tavily import TavilyClient

    client = TavilyClient(api_key=key.get_secret_value(), api_base_url=ctx.settings.tavily_base_url)
    try:
        response = client.search(args.query, max_results=5)
    except Exception as exc:  # the SDK raises its own error types for HTTP failures
        raise ToolUnavailable(f"web search failed: {type(exc).__name__}") from exc
    return WebSearchOut(
        results=[
            {
                "title": str(r.get("title", "")),
                "url": str(r.get("url", "")),
                "content": str(r.get("content", ""))[:1000],
            }
            for r in response.get("results", [])
        ]
    )


def check_course_readable(session: Session, principal: Principal, course_id: str) -> None:
    """For the agent runtime, which reaches services only through `tools`: a thread may name a course
    only if its caller may read it (404 otherwise), by the very rule every course read uses."""
    catalog.readable_course(session, principal, course_id)


def register_course_tools(registry: Registry) -> Registry:
    registry.register(
        Tool(
            "search_course_content",
            "Search the lessons you may read; returns passages with lesson, heading and link.",
            SearchIn,
            SearchOut,
            READERS,
            "read",
            search_course_content,
        )
    )
    registry.register(
        Tool(
            "get_course_outline",
            "Modules and lessons of a course, with which ones are open to you.",
            CourseIn,
            OutlineOut,
            READERS,
            "read",
            get_course_outline,
        )
    )
    registry.register(
        Tool(
            "get_my_progress", "How far you are in a course.", CourseIn, ProgressOut, (LEARN,), "read", get_my_progress
        )
    )
    registry.register(
        Tool(
            "mark_lesson_complete",
            "Mark one of your open lessons as completed.",
            LessonIn,
            CompletionOut,
            (LEARN,),
            "write",
            mark_lesson_complete,
        )
    )
    registry.register(
        Tool(
            "recommend_next_lesson",
            "The lesson you should take next in a course.",
            CourseIn,
            RecommendationOut,
            (LEARN,),
            "read",
            recommend_next_lesson,
        )
    )
    registry.register(
        Tool(
            "web_search",
            "Search the web (only when the platform has it enabled).",
            WebSearchIn,
            WebSearchOut,
            READERS,
            "read",
            web_search,
        )
    )
    return registry
