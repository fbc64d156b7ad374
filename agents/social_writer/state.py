"""The social-writer run's state: the course material and its topic words, the posts with their
scores (before and after revision), the claim check's verdicts, and the saved file."""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages


class SocialState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    brief: str
    platforms: list[str]
    course_title: str
    material: str
    topics: list[str]  # the course's content stems, for specificity
    posts: list[dict[str, Any]]  # platform, parts, score, reasons, first_score
    claims: list[dict[str, Any]]
    feedback: list[str]  # what the creator asked for when sending the posts back
    edited: bool  # the posts under review are the creator's edit: scored and checked, never redrafted
    mode: str
    note: str
    saved: dict[str, Any] | None
