"""What the creator agents share: the bindings a run gives their nodes, a constrained JSON reply (the
one way they get a typed structure out of a model), and a message that ends a turn.

On the embedded model `response_format` is JSON-schema constrained decoding; on an OpenAI-compatible
endpoint it is native structured output. Either way the reply parses or counts as empty."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import openai
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_core.runnables import RunnableConfig
from langgraph.types import interrupt

from agents.event_models import ApprovalRequired, RunEventModel
from agents.registry import PreparedRun, RunSetup
from core.errors import AppError
from tools.base import Registry, ToolContext
from tools.media import spoken

KEY = "drafts"  # where a creator agent's bindings sit in `configurable`
CITATION_MARK = re.compile(r"[ \t]?\[(\d{1,2})\]")


@dataclass
class Bindings:
    chat: BaseChatModel
    registry: Registry
    tools: ToolContext
    course_id: str | None
    emit: Callable[[RunEventModel], object]
    thread_id: str = ""


def prepare(setup: RunSetup) -> PreparedRun:
    """A creator agent's run: its nodes find the model, the tools and the course in `bound(config)`."""
    bindings = Bindings(setup.chat, setup.registry, setup.tools, setup.course_id, setup.on_event, setup.thread_id)
    return PreparedRun(configurable={KEY: bindings})


def bound(config: RunnableConfig) -> Bindings:
    return cast(Bindings, config["configurable"][KEY])


def say(text: str) -> dict[str, Any]:
    return {"messages": [AIMessage(content=text)]}


def json_reply(
    chat: BaseChatModel, system: str, prompt: str, schema: dict[str, Any], max_tokens: int
) -> dict[str, Any]:
    """One constrained reply; a reply cut at `max_tokens` (the schemas bound every string, so this is
    rare) or not JSON counts as empty, and the caller decides what an empty draft means."""
    response_format = {"type": "json_schema", "json_schema": {"name": "out", "schema": schema}}
    chat_bound = chat.bind(response_format=response_format, max_tokens=max_tokens)
    try:
        reply = chat_bound.invoke([SystemMessage(system), HumanMessage(prompt)])
        value = json.loads(str(reply.content))
    except (json.JSONDecodeError, openai.LengthFinishReasonError):
        return {}
    return value if isinstance(value, dict) else {}


def last_request(state: dict[str, Any]) -> str:
    """The person's latest message in the thread."""
    return next((str(m.content) for m in reversed(state.get("messages", [])) if isinstance(m, HumanMessage)), "")


def spread(items: list[Any], count: int) -> list[Any]:
    """`count` items evenly across the list, first and last included: a course's first lessons are
    often about the course itself (Open Music Theory's are about the textbook), and every draft the
    marketing eval read from them talked about the textbook instead of music."""
    if len(items) <= count:
        return items
    if count <= 1:
        return items[:count]
    return [items[round(i * (len(items) - 1) / (count - 1))] for i in range(count)]


def course_material(b: Bindings, lessons: int, chars: int) -> tuple[dict[str, Any], list[str]]:
    """The course's outline and the prose of `lessons` of its lessons spread across it (`chars` each,
    read-aloud style: no code, tables or markup), through the course tools: what a draft may promise."""
    outline = b.registry.invoke("get_course_outline", b.tools, {"course_id": b.course_id})
    listed = [lesson for module in outline["modules"] for lesson in module["lessons"]]
    material = []
    for lesson in spread(listed, lessons):
        body = b.registry.invoke("read_lesson", b.tools, {"lesson_id": lesson["lesson_id"]})["body_md"]
        text = " ".join(spoken(body).split())[:chars]
        if text:
            material.append(f"{lesson['title']}: {text}")
    return outline, material


def checked_claims(b: Bindings, text: str) -> list[dict[str, Any]]:
    """The claim check's verdicts on a draft; when it cannot run here (no index), one verdict saying
    so, which the creator must confirm like any unsupported promise."""
    try:
        claims: list[dict[str, Any]] = b.registry.invoke(
            "check_claims", b.tools, {"course_id": b.course_id, "text": text}
        )["claims"]
    except AppError as exc:
        return [{"text": "every promise", "supported": False, "reason": f"not checked: {exc.detail}"}]
    return claims


def unconfirmed(claims: list[dict[str, Any]], arguments: dict[str, Any]) -> str:
    """The note an approval gets when it leaves an unsupported promise unconfirmed ("" when none)."""
    confirmed = {str(x) for x in arguments.get("confirmed", [])}
    missing = [c["text"] for c in claims if not c["supported"] and c["text"] not in confirmed]
    return f"Confirm each promise the course does not hold: {'; '.join(missing)}" if missing else ""


REVIEW_ID = "review"


def ask(b: Bindings, name: str, shown: dict[str, Any]) -> tuple[str | None, dict[str, Any], str]:
    """Show a draft for review and wait (an interrupt): the creator's decision, its arguments and feedback."""
    b.emit(ApprovalRequired(id=REVIEW_ID, name=name, arguments=shown))
    decision = interrupt({"tool_call_id": REVIEW_ID, "name": name, "arguments": shown})
    decision = decision if isinstance(decision, dict) else {}
    return decision.get("decision"), decision.get("arguments") or {}, str(decision.get("feedback") or "").strip()


def revision(state: Any, feedback: str) -> dict[str, Any]:
    """`revise`: draft again, told what the creator asked, with a fresh round of checks."""
    return {"mode": "revise", "feedback": [*state.get("feedback", []), feedback], "rounds": 0, "edited": False}


def approval(claims: list[dict[str, Any]], arguments: dict[str, Any]) -> dict[str, Any]:
    """`approve`: taken when every unsupported promise is confirmed; else shown again with a note."""
    note = unconfirmed(claims, arguments)
    return {"mode": "checked", "note": note} if note else {"mode": "approved", "note": ""}


def after_check(state: Any, max_rounds: int) -> str:
    """Draft again while the check finds problems and rounds are left, but never over the creator's
    own edit: an edited draft is checked and shown again as it is."""
    if state.get("edited") or not state.get("problems") or state.get("rounds", 0) > max_rounds:
        return "review"
    return "draft"


def drop_repeats(text: str) -> tuple[str, int]:
    """Remove sentences the text already said (of four words or more; headings kept): a small model at
    temperature 0 can loop on one sentence until its token limit (seen in the course-builder eval,
    and in an email of the marketing eval that said one sentence 17 times), and a repeat says nothing."""
    seen: set[str] = set()
    dropped = 0
    lines = []
    for line in text.split("\n"):
        if line.lstrip().startswith("#"):
            lines.append(line)
            continue
        kept = []
        for piece in re.split(r"(?<=[.!?])\s+", line):
            key = " ".join(CITATION_MARK.sub("", piece).lower().split())
            if len(key.split()) >= 4 and key in seen:
                dropped += 1
                continue
            seen.add(key)
            kept.append(piece)
        if kept or not line.strip():
            lines.append(" ".join(kept))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)), dropped
