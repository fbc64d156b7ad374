"""The email writer's graph: gather → draft → check ⟲ (draft again once) → review (interrupt) → save.
An edited sequence is checked again before it is shown again."""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph

from agents.drafts import prepare
from agents.email_writer.review import after_review, review, save
from agents.email_writer.sequence import after_check, check, draft, gather
from agents.email_writer.state import EmailState


def build() -> StateGraph[EmailState]:
    graph: StateGraph[EmailState] = StateGraph(EmailState)
    for name, node in (("gather", gather), ("draft", draft), ("check", check), ("review", review), ("save", save)):
        graph.add_node(name, node)
    graph.add_edge(START, "gather")
    graph.add_conditional_edges("gather", lambda s: END if s.get("mode") == "ended" else "draft", ["draft", END])
    graph.add_conditional_edges("draft", lambda s: END if s.get("mode") == "ended" else "check", ["check", END])
    graph.add_conditional_edges("check", after_check, ["draft", "review"])
    graph.add_conditional_edges(
        "review", after_review, {"save": "save", "draft": "draft", "check": "check", "review": "review", "end": END}
    )
    graph.add_edge("save", END)
    return graph


def compile_graph(checkpointer: Any) -> Any:
    return build().compile(checkpointer=checkpointer)


__all__ = ["build", "compile_graph", "prepare"]
