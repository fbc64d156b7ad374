"""Build the approved outline: create the draft course in one tool call (whole or nothing, and
idempotent, so a node retried after a crash finds the course it made), write one lesson per step
(each a checkpoint, so a restarted run goes on from the next lesson, with a `progress` event each),
then ask before publishing: nothing goes live without the creator's approval card."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.runnables import RunnableConfig
from langgraph.types import interrupt

from agents import style_notes
from agents.course_builder import prompts
from agents.course_builder.configuration import Configuration
from agents.course_builder.outline import CREATE
from agents.course_builder.state import BuilderState
from agents.course_builder.writing import cite_block, find_sources, finish_body
from agents.drafts import Bindings, bound, say
from agents.event_models import ApprovalRequired, Progress
from core.errors import AppError

PUBLISH = "publish_course"
PUBLISH_REVIEW = "publish"


def _lessons(course: dict[str, Any]) -> list[dict[str, Any]]:
    return [lesson for module in course["modules"] for lesson in module["lessons"]]


def create(state: BuilderState, config: RunnableConfig) -> dict[str, Any]:
    b = bound(config)
    outline = state["outline"]
    digest = hashlib.sha256(json.dumps(outline, sort_keys=True).encode()).hexdigest()[:24]
    try:
        course = b.registry.invoke(CREATE, b.tools, {"outline": outline}, f"course-builder:{b.thread_id}:{digest}")
    except AppError as exc:
        return {"course": None} | say(f"The course could not be created: {exc.detail}. Nothing was created.")
    if course.get("status") == "pending":
        return {"course": None} | say(f"The course waits for the store owner's approval: {course['detail']}.")
    total = len(_lessons(course))
    b.emit(Progress(step="write_lessons", done=0, total=total, label=course["title"]))
    return {"course": course, "target_course_id": course["course_id"], "next_lesson": 0, "written": []}


def _write(b: Bindings, conf: Configuration, state: BuilderState, lesson: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    outline = state["outline"] or {}
    query = " ".join([lesson["title"], *lesson["objectives"]])
    passages = find_sources(b, conf, state.get("source_course_id"), query)
    prompt = prompts.LESSON.format(
        course=outline.get("title", ""),
        level=outline.get("level", "beginner"),
        audience=outline.get("audience") or "adult learners",
        title=lesson["title"],
        objectives="\n".join(f"- {o}" for o in lesson["objectives"]),
        sources=cite_block(passages),
        guide=style_notes.for_prompt(b, "lesson"),
        words=int(conf.lesson_tokens * 0.6),
    )
    chat = b.chat.bind(max_tokens=conf.lesson_tokens, frequency_penalty=conf.frequency_penalty)
    reply = chat.invoke([SystemMessage(prompts.SYSTEM), HumanMessage(prompt)])
    body, report = finish_body(str(reply.content), lesson["title"], passages, conf.support_threshold)
    return body, report | {"sources": len(passages)}


def write_lesson(state: BuilderState, config: RunnableConfig) -> dict[str, Any]:
    b, conf = bound(config), Configuration.from_runnable_config(config)
    course = state["course"]
    assert course is not None
    lessons, i = _lessons(course), state.get("next_lesson", 0)
    lesson = lessons[i]
    body, report = _write(b, conf, state, lesson)
    try:
        b.registry.invoke("update_lesson", b.tools, {"lesson_id": lesson["lesson_id"], "body_md": body})
    except AppError as exc:
        report |= {"error": exc.detail}
    b.emit(Progress(step="write_lessons", done=i + 1, total=len(lessons), label=lesson["title"]))
    entry = {"lesson_id": lesson["lesson_id"], "title": lesson["title"]} | report
    return {"next_lesson": i + 1, "written": [*state.get("written", []), entry]}


def after_write(state: BuilderState) -> str:
    course = state.get("course") or {"modules": []}
    return "write_lesson" if state.get("next_lesson", 0) < len(_lessons(course)) else "review_publish"


def _tally(state: BuilderState) -> dict[str, int]:
    written = state.get("written", [])
    return {
        "lessons": len(written),
        "grounded": sum(not w.get("own") for w in written),
        "own": sum(bool(w.get("own")) for w in written),
        "with_sources": sum(int(w.get("sources", 0)) > 0 for w in written),
        "citations": sum(int(w.get("cited", 0)) for w in written),
        "attributed": sum(int(w.get("attributed", 0)) for w in written),
        "dropped_citations": sum(int(w.get("unsupported", 0)) for w in written),
        "failed": sum("error" in w for w in written),
        "repeats_dropped": sum(int(w.get("repeats_dropped", 0)) for w in written),
    }


def review_publish(state: BuilderState, config: RunnableConfig) -> dict[str, Any]:
    b = bound(config)
    course = state["course"]
    assert course is not None
    card = {"course_id": course["course_id"], "title": course["title"], "url": course["url"], **_tally(state)}
    b.emit(ApprovalRequired(id=PUBLISH_REVIEW, name=PUBLISH, arguments=card))
    decision = interrupt({"tool_call_id": PUBLISH_REVIEW, "name": PUBLISH, "arguments": card})
    choice = decision.get("decision") if isinstance(decision, dict) else None
    return {"mode": "publish" if choice == "approve" else "keep_draft"}


def _written_note(state: BuilderState) -> str:
    t = _tally(state)
    note = f"{t['lessons']} lesson(s) written: {t['grounded']} from your sources ({t['citations']} citation(s))"
    note += f", {t['own']} from general knowledge, marked for you to check"
    if t["dropped_citations"]:
        note += f"; {t['dropped_citations']} citation(s) their source did not support were removed"
    if t["failed"]:
        note += f"; {t['failed']} could not be saved"
    return note + "."


def publish(state: BuilderState, config: RunnableConfig) -> dict[str, Any]:
    b = bound(config)
    course = state["course"]
    assert course is not None
    where = f"Read it: {course['url']}"
    if state.get("mode") != "publish":
        return say(f"Created “{course['title']}” as a draft. {_written_note(state)} It stays a draft. {where}")
    try:
        out = b.registry.invoke(PUBLISH, b.tools, {"course_id": course["course_id"]})
    except AppError as exc:
        return say(f"Created “{course['title']}”, but it could not be published: {exc.detail}. {where}")
    if out.get("status") == "pending":
        return say(f"Created “{course['title']}”; publishing waits for the store owner: {out['detail']}. {where}")
    return say(f"Published “{course['title']}”. {_written_note(state)} {where}")
