"""The course builder's graph.

A brief: intake → propose ⟲ (rubric redraft, at most `max_rounds`) → review_outline (interrupt:
approve, edit, ask for changes ⟲ propose, discard) → create (one tool call, whole or nothing) →
write_lesson ⟲ (one lesson a step) → review_publish (interrupt) → publish (or stay a draft).
A request to change a lesson: intake → locate → rewrite → review_edit (interrupt; ask for changes ⟲
rewrite) → apply_edit. Every read and write goes through the course tools with the caller's
permissions; the graph opens no database session of its own."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage
from langgraph.graph import END, START, StateGraph

from agents.course_builder.build import after_write, create, publish, review_publish, write_lesson
from agents.course_builder.edit import after_review_edit, apply_edit, locate, review_edit, rewrite
from agents.course_builder.outline import after_propose, after_review, failed, intake, propose, review_outline
from agents.course_builder.state import BuilderState
from agents.drafts import prepare


def _answered(state: BuilderState) -> bool:
    """The last node answered (a clear message) instead of going on."""
    messages = state.get("messages") or []
    return bool(messages) and isinstance(messages[-1], AIMessage)


def _after_intake(state: BuilderState) -> str:
    if _answered(state):
        return END
    return "locate" if state.get("mode") == "edit" else "propose"


def build() -> StateGraph[BuilderState]:
    graph: StateGraph[BuilderState] = StateGraph(BuilderState)
    for name, node in [
        ("intake", intake),
        ("propose", propose),
        ("failed", failed),
        ("review_outline", review_outline),
        ("create", create),
        ("write_lesson", write_lesson),
        ("review_publish", review_publish),
        ("publish", publish),
        ("locate", locate),
        ("rewrite", rewrite),
        ("review_edit", review_edit),
        ("apply_edit", apply_edit),
    ]:
        graph.add_node(name, node)
    graph.add_edge(START, "intake")
    graph.add_conditional_edges("intake", _after_intake, ["locate", "propose", END])
    graph.add_conditional_edges("propose", after_propose, ["propose", "review_outline", "failed"])
    graph.add_edge("failed", END)
    graph.add_conditional_edges(
        "review_outline",
        after_review,
        {"propose": "propose", "review_outline": "review_outline", "create": "create", "end": END},
    )
    graph.add_conditional_edges("create", lambda s: END if _answered(s) else "write_lesson", ["write_lesson", END])
    graph.add_conditional_edges("write_lesson", after_write, ["write_lesson", "review_publish"])
    graph.add_edge("review_publish", "publish")
    graph.add_edge("publish", END)
    graph.add_conditional_edges("locate", lambda s: END if _answered(s) else "rewrite", ["rewrite", END])
    graph.add_edge("rewrite", "review_edit")
    graph.add_conditional_edges(
        "review_edit", after_review_edit, {"rewrite": "rewrite", "apply_edit": "apply_edit", "end": END}
    )
    graph.add_edge("apply_edit", END)
    return graph


def compile_graph(checkpointer: Any) -> Any:
    return build().compile(checkpointer=checkpointer)


__all__ = ["build", "compile_graph", "prepare"]
