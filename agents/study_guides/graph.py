"""The study-guide agent's graph: a cheat sheet or reference guide of the thread's course.

gather → draft → check ⟲ (draft again, at most `max_rounds`) → assemble → review (interrupt) → save.
Every read goes through the course tools and the save through `save_study_document`, with the
caller's permissions; the graph opens no database session of its own."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage
from langgraph.graph import END, START, StateGraph

from agents.drafts import prepare
from agents.study_guides.drafting import after_check, check, draft, gather
from agents.study_guides.review import assemble, review, save
from agents.study_guides.state import StudyState


def _ended(state: StudyState) -> bool:
    """A node answered with a message instead of going on (no course, nothing to draft)."""
    last = state.get("messages", [])[-1:] if state.get("messages") else []
    return bool(last) and isinstance(last[0], AIMessage)


def build() -> StateGraph[StudyState]:
    graph: StateGraph[StudyState] = StateGraph(StudyState)
    graph.add_node("gather", gather)
    graph.add_node("draft", draft)
    graph.add_node("check", check)
    graph.add_node("assemble", assemble)
    graph.add_node("review", review)
    graph.add_node("save", save)
    graph.add_edge(START, "gather")
    graph.add_conditional_edges("gather", lambda s: END if _ended(s) else "draft", ["draft", END])
    graph.add_edge("draft", "check")
    graph.add_conditional_edges("check", after_check, ["draft", "assemble"])
    graph.add_conditional_edges("assemble", lambda s: END if _ended(s) else "review", ["review", END])
    graph.add_conditional_edges("review", lambda s: "save" if s.get("document") else END, ["save", END])
    graph.add_edge("save", END)
    return graph


def compile_graph(checkpointer: Any) -> Any:
    return build().compile(checkpointer=checkpointer)


__all__ = ["build", "compile_graph", "prepare"]
