"""Where a creator's message goes: to the first specialist whose rule matches it (`specialists.py`:
a cheat sheet, a video, posts, an email sequence, a course), or to the master's own tool loop
(everything else: questions about the store, the content-gap report, fact-checks). Rules first, because on the local
model a routing call would cost seconds and guess; a message they do not match goes to the tool
loop, whose model can still use any tool."""

from __future__ import annotations

import re
from typing import Any

from agents.master.specialists import GAPS, SPECIALISTS

ASSISTANT = "assistant"  # the master's own tool loop

FACT = re.compile(
    r"\b(fact[- ]?check|is it true|is this true|verify|check (this|the|that|whether|if))\b", re.IGNORECASE
)


def route(message: str) -> str:
    """The first specialist whose rule the message matches, else the master's own tool loop."""
    return next((s.name for s in SPECIALISTS if s.wants(message)), ASSISTANT)


def first_call(message: str, course_id: str | None, gap_topics: int) -> dict[str, Any] | None:
    """The tool the assistant calls before any decision, on the local model: the gap report when
    asked what learners ask, a web search when asked to check a claim; else the model decides."""
    if GAPS.search(message) and course_id:
        return {"name": "content_gaps", "args": {"course_id": course_id, "limit": gap_topics}}
    if FACT.search(message):
        claim = FACT.sub("", message).strip(" :,.?") or message
        return {"name": "web_search", "args": {"query": claim[:400]}}
    return None
