"""The course-builder run's state: the brief, the outline under review, the course once created and
how far its lessons are written (so a run resumed after a restart goes on from the next lesson)."""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages


class BuilderState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    mode: str  # "outline" (a brief) or "edit" (expand or rewrite a lesson)
    brief: str
    source_course_id: str | None  # the course whose lessons ground the new one
    source_titles: list[str]
    gaps: list[str]  # topics of the content-gap report, when the brief asks to fill them
    outline: dict[str, Any] | None  # the proposal under review
    problems: list[str]  # what the rubric (or a broken edit) found wrong with it
    feedback: list[str]  # what the creator asked to change, in order
    rounds: int
    course: dict[str, Any] | None  # the created course (the tool's answer)
    target_course_id: str | None  # the course this thread works on (created here, or chosen)
    next_lesson: int
    written: list[dict[str, Any]]  # per lesson: title, sources used, cited and unsupported sentences
    edit: dict[str, Any] | None  # expand/rewrite: lesson, section, before, after
