"""The course assistant: answers a learner from the lessons they may read, citing passages [n].

It composes the shared tool loop. The decision step sees only a digest of search results (how many
passages, from which lessons), so instructions hidden in course text cannot choose a tool. The
answer step gets one final turn with the numbered, fitted passages (`context.py`), the question and
the citation rule. With the local model a content question is searched at once (no decision call,
the slowest step of a turn); questions about the learner's own progress go to the model's decision.
"""

from __future__ import annotations

import json
import re
from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, SystemMessage, ToolMessage

from agents.course_assistant.citations import CitationBook
from agents.course_assistant.configuration import Configuration
from agents.course_assistant.context import fit_passages
from agents.course_assistant.prompts import ANSWER_RULES, ANSWER_SYSTEM, SYSTEM_PROMPT
from agents.event_models import Citation, MessageCompleted, RunEventModel
from agents.registry import PreparedRun, RunSetup, last_answer, tool_event
from agents.toolloop import AgentSpec, bind, compiled

SEARCH = "search_course_content"
# A message about the learner's own account (not the course's content) goes to the model's decision.
ABOUT_ME = re.compile(
    r"\b(my progress|how far|how much|complete[ds]?|finish(ed)?|mark|done with|next lesson|take next|"
    r"study next|recommend|outline|modules?|which lessons|what lessons|how many lessons)\b",
    re.IGNORECASE,
)
CITATION_KEYS = ("course_id", "lesson_id", "lesson_title", "heading", "url", "start_s")
HISTORY_ANSWER_CHARS = 400


def _parse(content: str) -> dict[str, Any]:
    try:
        value = json.loads(content)
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def digest(name: str, content: str) -> str:
    data = _parse(content)
    if name == SEARCH and "passages" in data:
        if not data["passages"]:
            return "no passages found"
        lessons = sorted({str(p.get("lesson_title")) for p in data["passages"]})
        return f"{len(data['passages'])} passage(s) found in: {', '.join(lessons)}"
    return content


def passage_blocks(book: CitationBook, passages: list[dict[str, Any]], question: str, budget: int) -> str:
    """The numbered passages the answer step reads (the eval measures this very text)."""
    blocks = []
    for fitted in fit_passages(passages, question, budget):
        number = book.add(fitted.passage)
        where = f"{fitted.passage.get('lesson_title')} > {fitted.passage.get('heading')}"
        blocks.append(f"[{number}] ({where})\n<passage>\n{fitted.text}\n</passage>")
    return "\n".join(blocks)


def build_spec(book: CitationBook, course_hint: str | None = None, config: Configuration | None = None) -> AgentSpec:
    config = config or Configuration()

    def for_answer(name: str, content: str, question: str) -> str:
        data = _parse(content)
        if name == SEARCH and "passages" in data:
            if not data["passages"]:
                return "No course passage matches this question."
            return passage_blocks(book, data["passages"], question, config.passage_budget_chars)
        return content

    def answer_messages(history: list[AnyMessage]) -> list[AnyMessage]:
        """System rules first (stable, so the server reuses their KV cache), the last exchanges,
        then one final turn with the passages, the question and the citation rule: small models
        follow the last turn best."""
        last_question = max((i for i, m in enumerate(history) if isinstance(m, HumanMessage)), default=-1)
        earlier: list[AnyMessage] = []
        for m in history[: max(last_question, 0)]:
            if isinstance(m, HumanMessage):
                earlier.append(m)
            elif isinstance(m, AIMessage) and m.content and not m.tool_calls:
                earlier.append(AIMessage(content=str(m.content)[:HISTORY_ANSWER_CHARS]))
        earlier = earlier[-2 * config.history_turns :] if config.history_turns else []
        question = str(history[last_question].content) if last_question >= 0 else ""
        context = [
            for_answer(str(m.name), str(m.content), question)
            for m in history[last_question + 1 :]
            if isinstance(m, ToolMessage)
        ]
        passages = "\n\n".join(context) if context else "No course passages were looked up."
        final = f"Course passages:\n{passages}\n\nQuestion: {question}\n\n{ANSWER_RULES}"
        return [SystemMessage(ANSWER_SYSTEM), *earlier, HumanMessage(final)]

    def prefetch(message: str) -> dict[str, Any] | None:
        if ABOUT_ME.search(message):
            return None
        args: dict[str, Any] = {"query": message[:500], "limit": config.search_limit}
        if course_hint:
            args["course_id"] = course_hint
        return {"name": SEARCH, "args": args}

    prompt = SYSTEM_PROMPT + (f"\nThe learner is looking at course {course_hint}." if course_hint else "")
    return AgentSpec(
        name="course_assistant",
        system_prompt=prompt,
        tool_names=[],  # set from the definition by `prepare`
        respond_instructions=ANSWER_RULES,
        digest_for_decision=digest,
        answer_messages=answer_messages,
        prefetch=prefetch,
    )


def record_turn(setup: RunSetup, messages: list[AnyMessage], answered: bool) -> None:
    """The learner's question and whether the answer cited the course, for the creator's gap report.
    Recorded through the tool with the learner's own permissions; a failure never fails the turn."""
    turn = messages[max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=0) :]
    if not turn or not isinstance(turn[0], HumanMessage):
        return
    found = [
        p
        for m in turn
        if isinstance(m, ToolMessage) and m.name == SEARCH
        for p in _parse(str(m.content)).get("passages", [])
    ]
    course_id = setup.course_id or next((str(p.get("course_id")) for p in found if p.get("course_id")), None)
    if course_id is None:
        return
    arguments = {"course_id": course_id, "question": str(turn[0].content), "answered": answered, "passages": len(found)}
    setup.registry.call("record_question", setup.tools, arguments)


def compile_graph(checkpointer: Any) -> Any:
    return compiled(checkpointer)


def prepare(setup: RunSetup) -> PreparedRun:
    book = CitationBook()
    spec = build_spec(book, setup.course_id, Configuration())
    spec.tool_names = list(setup.agent_tools)
    spec.on_tool_event = lambda event: setup.on_event(tool_event(event))

    def finish(values: dict[str, Any]) -> list[RunEventModel]:
        text = book.attach_citations(last_answer(values))
        events: list[RunEventModel] = [MessageCompleted(text=text)]
        cited = book.cited(text)
        for number, passage in cited:
            events.append(Citation(n=number, **{k: passage.get(k) for k in CITATION_KEYS}))
        if setup.principal.is_learner:
            record_turn(setup, values.get("messages", []), bool(cited))
        return events

    configurable = bind(spec, setup.chat, setup.native_tools, setup.registry, setup.tools)
    return PreparedRun(configurable=configurable, finish=finish)
