"""The video scripter's graph.

gather → draft → check ⟲ (draft again once, told what to fix) → review (interrupt) → produce.
A new message on a thread whose approved script was not made yet (a render that failed) goes
straight to produce; every stage already done comes back from the media cache."""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph

from agents.drafts import prepare
from agents.video_scripter.production import after_review, produce, review
from agents.video_scripter.script import after_check, check, draft, gather
from agents.video_scripter.state import VideoState


def _start(state: VideoState) -> str:
    return "produce" if state.get("mode") == "approved" and not state.get("video") else "gather"


def build() -> StateGraph[VideoState]:
    graph: StateGraph[VideoState] = StateGraph(VideoState)
    for name, node in (("gather", gather), ("draft", draft), ("check", check), ("review", review),
                       ("produce", produce)):  # fmt: skip
        graph.add_node(name, node)
    graph.add_conditional_edges(START, _start, ["gather", "produce"])
    graph.add_conditional_edges("gather", lambda s: END if s.get("mode") == "ended" else "draft", ["draft", END])
    graph.add_conditional_edges("draft", lambda s: END if s.get("mode") == "ended" else "check", ["check", END])
    graph.add_conditional_edges("check", after_check, ["draft", "review"])
    graph.add_conditional_edges(
        "review", after_review, {"produce": "produce", "draft": "draft", "check": "check", "review": "review",
                                 "end": END}
    )  # fmt: skip
    graph.add_edge("produce", END)
    return graph


def compile_graph(checkpointer: Any) -> Any:
    return build().compile(checkpointer=checkpointer)


__all__ = ["build", "compile_graph", "prepare"]
