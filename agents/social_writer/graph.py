"""The social writer's graph: gather → draft (scored) → revise (the low ones, once) → check (claims)
→ review (interrupt: every unsupported promise confirmed) → save (one Markdown file of the posts
with their scores and reasons, to copy from or export: publishing to the networks is the creator's).

At the review the creator approves, rejects, sends the posts back with what to change (drafted
again with it, scored, revised and checked anew) or edits them (their words scored and checked,
never drafted over), all within the run."""

from __future__ import annotations

from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph

from agents.drafts import approval, ask, bound, prepare, revision, say
from agents.event_models import Artifact as ArtifactEvent
from agents.social_writer.posts import check, draft, edited_posts, gather, revise
from agents.social_writer.state import SocialState
from core.errors import AppError

SAVE = "save_social_posts"


def review(state: SocialState, config: RunnableConfig) -> dict[str, Any]:
    b = bound(config)
    unsupported = [c["text"] for c in state.get("claims", []) if not c["supported"]]
    shown = {"course_id": b.course_id, "title": f"Posts for {state['course_title']}", "posts": state["posts"],
             "claims": state.get("claims", []), "unsupported": unsupported, "note": state.get("note", "")}  # fmt: skip
    choice, arguments, feedback = ask(b, SAVE, shown)
    if choice == "reject":
        return {"mode": "rejected"} | say("Discarded the posts; nothing was saved.")
    if choice == "revise":
        return revision(state, feedback)
    if choice == "edit":
        posts = edited_posts(state, arguments.get("posts"))
        if posts is None:
            return {"mode": "checked", "note": "Each edited post needs its platform and words in every part."}
        return {"mode": "edited", "posts": posts, "note": "", "edited": True}
    return approval(state.get("claims", []), arguments)


def save(state: SocialState, config: RunnableConfig) -> dict[str, Any]:
    b = bound(config)
    posts = [{"platform": p["platform"], "parts": p["parts"], "score": p["score"], "reasons": p["reasons"]}
             for p in state["posts"]]  # fmt: skip
    try:
        args = {"course_id": b.course_id, "title": f"Posts for {state['course_title']}", "posts": posts}
        saved = b.registry.invoke(SAVE, b.tools, args)
    except AppError as exc:
        return say(f"The posts could not be saved: {exc.detail}")
    b.emit(ArtifactEvent(id=saved["artifact_id"], kind=saved["kind"], title=saved["title"], url=saved["url"],
                         version=saved["version"]))  # fmt: skip
    scores = ", ".join(f"{p['platform']} {p['first_score']} → {p['score']}" for p in state["posts"])
    sent = " and sent them to your export webhook" if saved.get("exported") else ""
    return {"mode": "saved", "saved": saved} | say(
        f"Saved {len(posts)} posts ({scores}){sent}. Copy them from {saved['url']}"
    )


def build() -> StateGraph[SocialState]:
    graph: StateGraph[SocialState] = StateGraph(SocialState)
    for name, node in (("gather", gather), ("draft", draft), ("revise", revise), ("check", check), ("review", review),
                       ("save", save)):  # fmt: skip
        graph.add_node(name, node)
    graph.add_edge(START, "gather")
    graph.add_conditional_edges("gather", lambda s: END if s.get("mode") == "ended" else "draft", ["draft", END])
    graph.add_conditional_edges("draft", lambda s: END if s.get("mode") == "ended" else "revise", ["revise", END])
    graph.add_edge("revise", "check")
    graph.add_edge("check", "review")
    graph.add_conditional_edges(
        "review",
        lambda s: {"approved": "save", "checked": "review", "revise": "draft", "edited": "check"}.get(
            s.get("mode", ""), "end"
        ),
        {"save": "save", "review": "review", "draft": "draft", "check": "check", "end": END},
    )
    graph.add_edge("save", END)
    return graph


def compile_graph(checkpointer: Any) -> Any:
    return build().compile(checkpointer=checkpointer)


__all__ = ["build", "compile_graph", "prepare"]
