"""The video-scripter run's state: the brief, the course material read, the script under review with
what the checks found, and the video once made (so a new message after a failed render resumes at
production, where the media cache keeps every stage already done)."""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages


class VideoState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    brief: str
    seconds: int  # the length asked for
    course_title: str
    material: str
    script: dict[str, Any] | None  # title, scenes: narration, on_screen, points, visual, seconds
    problems: list[str]  # durations that do not add up, promises the course does not hold
    claims: list[dict[str, Any]]  # the claim check's verdicts on the script
    feedback: list[str]
    rounds: int
    edited: bool  # the script under review is the creator's edit: checked, never drafted over
    mode: str  # drafted, revise, checked, approved, produced, rejected
    note: str  # why the last approval was not taken
    video: dict[str, Any] | None
