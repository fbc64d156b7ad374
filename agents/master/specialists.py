"""The agents the master hands a message to, in the order their rules are tried: each names the
agent (its definition gives the subgraph and the tools the master must hold for it) and the rule
that routes a creator's message to it. A new specialist is one row here."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from agents import course_builder, email_writer, social_writer, study_guides, video_scripter
from agents.registry import AgentDefinition

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


@dataclass(frozen=True)
class Specialist:
    definition: AgentDefinition
    wants: Callable[[str], bool]  # does this message go to it?

    @property
    def name(self) -> str:  # the route, and the master's node that runs the agent's graph
        return self.definition.name


SPECIALISTS: tuple[Specialist, ...] = (
    Specialist(study_guides.DEFINITION, lambda m: bool(STUDY.search(m))),
    Specialist(video_scripter.DEFINITION, lambda m: bool(VIDEO.search(m))),
    Specialist(social_writer.DEFINITION, lambda m: bool(SOCIAL.search(m))),
    Specialist(email_writer.DEFINITION, lambda m: bool(EMAIL.search(m))),
    Specialist(course_builder.DEFINITION, lambda m: bool(BUILD.search(m)) and not GAPS.search(m)),
)
