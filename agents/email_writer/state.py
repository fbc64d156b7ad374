"""The email-writer run's state: the brief, the course material, the sequence under review with the
claim check's verdicts, and what was saved into the mail service."""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages


class EmailState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    brief: str
    count: int  # emails asked for
    course_title: str
    lessons: list[str]  # "Title: text" of the lessons the nurture emails teach from, spread across the course
    covers: str  # the course's module titles, for the pitches
    sequence: dict[str, Any] | None  # name, emails: subject, preview, body, cta, send_after_days
    claims: list[dict[str, Any]]
    problems: list[str]
    feedback: list[str]
    rounds: int
    mode: str
    edited: bool  # the sequence under review is the creator's edit: checked, never drafted over
    note: str
    saved: dict[str, Any] | None
