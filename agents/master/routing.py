"""Where a creator's message goes: to the course builder (plan, draft or change a course), to the
study-guide agent (a cheat sheet or reference guide), to the video scripter (a video, a promo), to
the social writer (posts, threads, captions, a TikTok/Reels script), to the email writer (a sequence
of emails), or to the master's own tool loop (everything else:
questions about the store, the content-gap report, fact-checks). Rules first, because on the local
model a routing call would cost seconds and guess; a message they do not match goes to the tool
loop, whose model can still use any tool."""

from __future__ import annotations

import re
from typing import Any

EMAIL = re.compile(
    r"\b(write|draft|create|make|plan|start)\b[^.?!]{0,60}\b(emails?|sequences?|newsletters?|nurture|drip)\b",
    re.IGNORECASE,
)
VIDEO = re.compile(r"\b(videos?|promos?|trailers?)\b", re.IGNORECASE)
SOCIAL = re.compile(
    r"\b(write|draft|create|make|plan)\b[^.?!]{0,60}\b(posts?|threads?|tweets?|captions?|linkedin|instagram|tiktok|"
    r"reels?( scripts?)?|social)\b",
    re.IGNORECASE,
)
STUDY = re.compile(r"\b(cheat[- ]?sheets?|reference guides?|study guides?)\b", re.IGNORECASE)
BUILD = re.compile(
    r"\b(draft|build|create|plan|outline|design|make|write|start)\b[^.?!]{0,60}\b(course|curriculum|outline)\b"
    r"|\b(expand|rewrite|re-write|simplify|shorten|lengthen)\b[^.?!]{0,80}\b(lesson|section)\b",
    re.IGNORECASE,
)
GAPS = re.compile(
    r"\b(gaps?|unanswered|(learners|students) (ask|asked|want)|(doesn't|does not|don't|do not|can't|cannot) answer)\b",
    re.IGNORECASE,
)
FACT = re.compile(
    r"\b(fact[- ]?check|is it true|is this true|verify|check (this|the|that|whether|if))\b", re.IGNORECASE
)


def route(message: str) -> str:
    if STUDY.search(message):
        return "study_guides"
    if VIDEO.search(message):
        return "video_scripter"
    if SOCIAL.search(message):
        return "social_writer"
    if EMAIL.search(message):
        return "email_writer"
    if BUILD.search(message) and not GAPS.search(message):
        return "course_builder"
    return "assistant"


def first_call(message: str, course_id: str | None, gap_topics: int) -> dict[str, Any] | None:
    """The tool the assistant calls before any decision, on the local model: the gap report when
    asked what learners ask, a web search when asked to check a claim; else the model decides."""
    if GAPS.search(message) and course_id:
        return {"name": "content_gaps", "args": {"course_id": course_id, "limit": gap_topics}}
    if FACT.search(message):
        claim = FACT.sub("", message).strip(" :,.?") or message
        return {"name": "web_search", "args": {"query": claim[:400]}}
    return None
