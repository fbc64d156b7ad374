"""The master assistant's state: the thread's messages (its memory across turns) and where the
latest request went. Each specialist keeps its own state in its subgraph's checkpoint."""

from __future__ import annotations

from typing import Annotated, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages


class MasterState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    route: str  # course_builder | study_guides | assistant
