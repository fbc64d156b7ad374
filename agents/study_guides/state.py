"""The study-guide run's state. Only lesson excerpts are kept (what the model read), never whole
lessons, so each checkpoint stays small."""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages


class Sentence(TypedDict):
    n: int  # the source (lesson) it comes from
    text: str


class Group(TypedDict):
    heading: str
    sources: list[int]  # the source numbers (lessons) this section draws on
    material: str  # the numbered lessons' labelled sentences the model reads
    sentences: dict[str, Sentence]  # label ("S3") -> its lesson and text


class StudyState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    kind: str
    course_title: str
    sources: list[dict[str, Any]]
    groups: list[Group]
    sections: dict[str, list[dict[str, Any]]]  # group index -> blocks (best draft so far)
    checks: dict[str, list[dict[str, Any]]]  # group index -> per-claim report
    drafts: dict[str, list[dict[str, Any]]]  # the last round's new drafts, until checked
    rounds: int
    document: dict[str, Any] | None
    artifact: dict[str, Any] | None
