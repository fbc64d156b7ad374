"""Intake and the outline: read the brief (or see that the message asks to change a lesson), draft an
outline with one constrained call, check it against the schema and the rubric, redraft at most
`max_rounds` times keeping the best, and hold it for the creator: approve, edit (the tree on the
page sends the edited outline), ask for changes (drafted again with their feedback), or discard."""

from __future__ import annotations

import json
import re
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.types import interrupt
from pydantic import ValidationError

from agents import style_notes
from agents.course_builder import prompts
from agents.course_builder.configuration import Configuration
from agents.course_builder.rubric import BRIEF_WORDS
from agents.course_builder.rubric import problems as rubric_problems
from agents.course_builder.schemas import outline_schema, outline_tokens, shape_of
from agents.course_builder.state import BuilderState
from agents.drafts import Bindings, bound, json_reply, last_request, say
from agents.event_models import ApprovalRequired, MessageDelta
from core.errors import AppError
from core.text import stems
from tools.course_outlines import CourseOutline

CREATE = "create_course_from_outline"
OUTLINE_REVIEW = "outline"
GAP_ASK = re.compile(r"\b(gaps?|learners (?:ask|asked|want)|unanswered)\b", re.IGNORECASE)
EDIT_ASK = re.compile(r"\b(expand|rewrite|re-write|simplify|shorten|lengthen|extend)\b", re.IGNORECASE)


def validation_problem(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return f"{where}: {first['msg']}" if where else str(first["msg"])


def intake(state: BuilderState, config: RunnableConfig) -> dict[str, Any]:
    b, conf = bound(config), Configuration.from_runnable_config(config)
    brief = last_request(dict(state)).strip()
    target = (state.get("course") or {}).get("course_id") or state.get("target_course_id") or b.course_id
    fresh: dict[str, Any] = {"outline": None, "problems": [], "feedback": [], "rounds": 0, "edit": None}
    if EDIT_ASK.search(brief) and target:
        return fresh | {"mode": "edit", "target_course_id": target}
    if len(brief.split()) < conf.min_brief_words:
        return fresh | say(
            "Tell me what the course is about: the topic, who it is for, their level and how long it should be "
            "(for example: “a beginner course on mixing vocals, 3 modules of 2 lessons”)."
        )
    if len(brief) > conf.max_brief_chars:
        return fresh | say(
            f"That brief is {len(brief):,} characters; keep it under {conf.max_brief_chars:,} "
            "(the topic, the audience, the level and the length are enough)."
        )
    titles: list[str] = []
    if b.course_id:  # the thread's course: its lessons are the sources to build on
        try:
            source = b.registry.invoke("get_course_outline", b.tools, {"course_id": b.course_id})
        except AppError as exc:
            return fresh | say(f"The course chosen as a source cannot be used: {exc.detail}")
        titles = related_titles(brief, [lesson["title"] for m in source["modules"] for lesson in m["lessons"]])
    gaps = _gap_topics(b, b.course_id) if b.course_id and GAP_ASK.search(brief) else []
    return fresh | {
        "gaps": gaps,
        "mode": "outline",
        "brief": brief,
        "source_course_id": b.course_id if titles else None,
        "source_titles": titles,
        "target_course_id": target,
    }


def related_titles(brief: str, titles: list[str]) -> list[str]:
    """The source course's lesson titles that share a topic word with the brief: a course on mixing
    vocals does not build on music-theory lessons just because that course was chosen on the page."""
    topic = stems(brief) - stems(" ".join(BRIEF_WORDS))
    return [t for t in titles if topic & stems(t)] if topic else titles  # no topic word: the whole course


def _gap_topics(b: Bindings, course_id: str) -> list[str]:
    """The content-gap report's topics: questions learners asked that the course does not answer."""
    result = b.registry.call("content_gaps", b.tools, {"course_id": course_id, "limit": 8})
    if not result.ok or result.output is None:
        return []
    return [f"{g['topic']} (asked {g['count']} time(s))" for g in result.output["gaps"]]


def _count(span: tuple[int, int]) -> str:
    return str(span[0]) if span[0] == span[1] else f"{span[0]} to {span[1]}"


def _prompt(state: BuilderState, conf: Configuration, style: str) -> str:
    shape = shape_of(state["brief"], conf)
    titles = state.get("source_titles") or []
    previous = state.get("outline")
    asks = [*state.get("feedback", []), *state.get("problems", [])]
    return (
        prompts.OUTLINE.format(
            brief=state["brief"],
            sources=(prompts.SOURCES.format(titles="\n".join(f"- {t}" for t in titles[:40])) if titles else "")
            + (prompts.GAPS.format(topics="\n".join(f"- {t}" for t in state["gaps"])) if state.get("gaps") else ""),
            previous=prompts.PREVIOUS.format(outline=json.dumps(previous, ensure_ascii=False)) if previous else "",
            feedback=prompts.FEEDBACK.format(feedback="; ".join(asks)) if asks else "",
            modules=_count(shape.modules),
            lessons=_count(shape.lessons),
            objectives=conf.objectives,
        )
        + style
    )


def propose(state: BuilderState, config: RunnableConfig) -> dict[str, Any]:
    """Draft (or redraft) the outline. A redraft for the rubric replaces the last draft only when it
    has fewer problems; a redraft the creator asked for replaces it when it is valid."""
    b, conf = bound(config), Configuration.from_runnable_config(config)
    shape = shape_of(state["brief"], conf)
    revising = state.get("mode") == "revise"
    b.emit(MessageDelta(text="Revising the outline…\n" if state.get("outline") else "Drafting an outline…\n"))
    schema, tokens = outline_schema(shape, conf.objectives), outline_tokens(shape, conf.objectives)
    prompt = _prompt(state, conf, style_notes.for_prompt(b, "outline"))
    reply = json_reply(b.chat, prompts.SYSTEM, prompt, schema, tokens)
    update: dict[str, Any] = {"rounds": state.get("rounds", 0) + 1, "mode": "revised" if revising else "drafted"}
    try:
        outline = CourseOutline.model_validate(reply)
    except ValidationError as exc:
        if state.get("outline") is None:
            update["problems"] = [f"the draft was not a valid outline ({validation_problem(exc)})"]
        return update
    found = rubric_problems(outline, shape, state["brief"])
    if state.get("outline") is None or revising or len(found) < len(state.get("problems", [])):
        update |= {"outline": outline.model_dump(mode="json"), "problems": found}
    return update


def after_propose(state: BuilderState, config: RunnableConfig) -> str:
    conf = Configuration.from_runnable_config(config)
    again = state.get("mode") == "drafted" and state.get("problems") and state.get("rounds", 0) <= conf.max_rounds
    if again:
        return "propose"
    return "review_outline" if state.get("outline") else "failed"


def failed(state: BuilderState, config: RunnableConfig) -> dict[str, Any]:
    reason = "; ".join(state.get("problems", [])) or "no outline came back"
    return say(f"I could not draft a valid outline from that brief ({reason}). Try saying it another way.")


def review_outline(state: BuilderState, config: RunnableConfig) -> dict[str, Any]:
    b = bound(config)
    outline = state["outline"]
    assert outline is not None
    card = {"outline": outline, "problems": state.get("problems", []), "sources": state.get("source_titles", [])[:40]}
    b.emit(ApprovalRequired(id=OUTLINE_REVIEW, name=CREATE, arguments=card))
    decision = interrupt({"tool_call_id": OUTLINE_REVIEW, "name": CREATE, "arguments": card})
    choice = decision.get("decision") if isinstance(decision, dict) else None
    if choice == "reject":
        return {"outline": None, "mode": "done"} | say("Discarded the outline; nothing was created.")
    if choice == "revise":
        ask = str(decision.get("feedback", "")).strip()
        return {"feedback": [*state.get("feedback", []), ask], "mode": "revise"}
    if choice == "edit":
        edited = (decision.get("arguments") or {}).get("outline", decision.get("arguments"))
        try:
            outline = CourseOutline.model_validate(edited).model_dump(mode="json")
        except ValidationError as exc:  # shown on the card again; nothing is created from a broken tree
            return {"mode": "broken", "problems": [f"your edit broke the outline: {validation_problem(exc)}"]}
        style_notes.learn(b, "outline", style_notes.from_outline_edit(state["outline"] or {}, outline))
    return {"outline": outline, "mode": "approved"}


def after_review(state: BuilderState) -> str:
    return {"revise": "propose", "broken": "review_outline", "approved": "create"}.get(state.get("mode", ""), "end")
