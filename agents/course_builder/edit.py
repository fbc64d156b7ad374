"""Change an existing lesson on request ("expand the lesson on compression", "rewrite the section on
ratios for beginners"): find the lesson (a quoted title, or the most words in common) and the section
(a `##` heading the message names), rewrite it with one call, and hold the new text for the creator
— approve, edit, ask for changes, discard — before `update_lesson` saves it."""

from __future__ import annotations

import re
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.runnables import RunnableConfig
from langgraph.types import interrupt

from agents import style_notes
from agents.course_builder import prompts
from agents.course_builder.state import BuilderState
from agents.course_builder.writing import unfence
from agents.drafts import bound, last_request, say
from agents.event_models import ApprovalRequired, MessageDelta
from core.errors import AppError
from core.text import stems

UPDATE = "update_lesson"
EDIT_REVIEW = "lesson_edit"
MAX_TEXT_CHARS = 3200  # what one call can read and rewrite inside the local model's window
QUOTED = re.compile(r"[\"“]([^\"”]{3,120})[\"”]")  # double quotes only: apostrophes are in titles
HEADING = re.compile(r"^(#{2,4})\s+(.+?)\s*$", re.MULTILINE)
ASK_WORDS = stems("expand rewrite simplify shorten lengthen extend lesson section beginners make more about please")


def _pick_lesson(ask: str, lessons: list[dict[str, Any]]) -> dict[str, Any] | None:
    for quoted in QUOTED.findall(ask):
        hit = next((x for x in lessons if quoted.casefold() in x["title"].casefold()), None)
        if hit:
            return hit
    wanted = stems(ask) - ASK_WORDS
    scored = [(len(wanted & stems(x["title"])), -i, x) for i, x in enumerate(lessons)]
    best = max(scored, default=(0, 0, None), key=lambda s: (s[0], s[1]))
    return best[2] if best[0] else None


def sections(body: str) -> list[tuple[str, int, int]]:
    """(heading, start, end) of each `##`-`####` section, its end where the next one begins."""
    marks = list(HEADING.finditer(body))
    return [
        (m.group(2), m.start(), marks[i + 1].start() if i + 1 < len(marks) else len(body)) for i, m in enumerate(marks)
    ]


def _pick_section(ask: str, body: str, title: str) -> tuple[str, int, int] | None:
    if "section" not in ask.lower():
        return None
    wanted = stems(ask) - ASK_WORDS - stems(title)
    scored = [(len(wanted & stems(h)), h, s, e) for h, s, e in sections(body)]
    best = max(scored, default=None, key=lambda x: x[0])
    return (best[1], best[2], best[3]) if best and best[0] else None


def locate(state: BuilderState, config: RunnableConfig) -> dict[str, Any]:
    b = bound(config)
    ask = last_request(dict(state))
    try:
        outline = b.registry.invoke("get_course_outline", b.tools, {"course_id": state["target_course_id"]})
    except AppError as exc:
        return {"edit": None} | say(f"I cannot open that course: {exc.detail}")
    lessons = [x for m in outline["modules"] for x in m["lessons"]]
    lesson = _pick_lesson(ask, lessons)
    if lesson is None:
        names = "; ".join(f"“{x['title']}”" for x in lessons[:12]) or "none yet"
        return {"edit": None} | say(f"Which lesson of {outline['title']}? Name it, in quotes if you like: {names}.")
    body = b.registry.invoke("read_lesson", b.tools, {"lesson_id": lesson["lesson_id"]})["body_md"]
    section = _pick_section(ask, body, lesson["title"])
    start, end = (section[1], section[2]) if section else (0, len(body))
    if end - start > MAX_TEXT_CHARS:
        heads = "; ".join(f"“{h}”" for h, _, _ in sections(body)[:12]) or "it has no ## headings"
        return {"edit": None} | say(
            f"“{lesson['title']}” is too long to rewrite in one go ({len(body):,} characters). Name a section: {heads}."
        )
    edit = {
        "lesson_id": lesson["lesson_id"],
        "title": lesson["title"],
        "section": section[0] if section else None,
        "instruction": ask,
        "start": start,
        "end": end,
        "before": body[start:end],
        "body": body,
        "after": None,
    }
    return {"edit": edit, "feedback": []}


def rewrite(state: BuilderState, config: RunnableConfig) -> dict[str, Any]:
    b = bound(config)
    edit = dict(state["edit"] or {})
    asks = [edit["instruction"], *state.get("feedback", [])]
    what = f"the section “{edit['section']}” of" if edit["section"] else ""
    b.emit(MessageDelta(text=f"Rewriting {what} “{edit['title']}”…\n".replace("  ", " ")))
    prompt = prompts.REWRITE.format(
        title=edit["title"],
        text=edit["before"],
        guide=style_notes.for_prompt(b, "lesson"),
        instruction=" Then: ".join(asks),
    )
    budget = len(edit["before"]) // 3 * (2 if "expand" in edit["instruction"].lower() else 1) + 200
    reply = b.chat.bind(max_tokens=min(budget, 1400)).invoke([SystemMessage(prompts.SYSTEM), HumanMessage(prompt)])
    edit["after"] = unfence(str(reply.content)) + "\n"
    return {"edit": edit}


def review_edit(state: BuilderState, config: RunnableConfig) -> dict[str, Any]:
    b = bound(config)
    edit = dict(state["edit"] or {})
    card = {k: edit[k] for k in ("lesson_id", "title", "section", "before", "after")}
    b.emit(ApprovalRequired(id=EDIT_REVIEW, name=UPDATE, arguments=card))
    decision = interrupt({"tool_call_id": EDIT_REVIEW, "name": UPDATE, "arguments": card})
    choice = decision.get("decision") if isinstance(decision, dict) else None
    if choice == "reject":
        return {"edit": None, "mode": "done"} | say(f"Kept “{edit['title']}” as it was.")
    if choice == "revise":
        return {"feedback": [*state.get("feedback", []), str(decision.get("feedback", "")).strip()], "mode": "revise"}
    if choice == "edit":
        after = str((decision.get("arguments") or {}).get("after") or "").strip()
        if not after:
            return {"edit": None, "mode": "done"} | say("The edited text was empty, so the lesson was not changed.")
        style_notes.learn(b, "lesson", style_notes.from_text_edit(str(edit["after"] or ""), after))
        edit["after"] = after + "\n"
    return {"edit": edit, "mode": "apply"}


def after_review_edit(state: BuilderState) -> str:
    return {"revise": "rewrite", "apply": "apply_edit"}.get(state.get("mode", ""), "end")


def apply_edit(state: BuilderState, config: RunnableConfig) -> dict[str, Any]:
    b = bound(config)
    edit = state["edit"] or {}
    body = edit["body"][: edit["start"]] + edit["after"] + edit["body"][edit["end"] :]
    try:
        out = b.registry.invoke(UPDATE, b.tools, {"lesson_id": edit["lesson_id"], "body_md": body})
    except AppError as exc:
        return say(f"The lesson could not be saved: {exc.detail}")
    what = f"the section “{edit['section']}” of " if edit["section"] else ""
    return say(f"Updated {what}“{out['title']}” ({out['words']} words).")
