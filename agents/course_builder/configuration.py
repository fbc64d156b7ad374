"""What a course-builder run can be configured with (`configurable`). The defaults fit the local
model: an outline of at most 3 modules of 3 lessons is one constrained call of under ~1,400 tokens,
and a lesson is written from at most `source_chars` of its sources inside the 4,096-token window."""

from __future__ import annotations

from dataclasses import dataclass

from agents.configuration import AgentConfiguration


@dataclass(frozen=True)
class Configuration(AgentConfiguration):
    max_modules: int = 3  # unless the brief asks for a number (up to courses.outlines.MAX_MODULES)
    max_lessons: int = 3  # per module, likewise
    objectives: int = 2  # per lesson
    max_brief_chars: int = 4000
    min_brief_words: int = 3
    max_rounds: int = 1  # redrafts of an outline the rubric finds fault with
    lesson_tokens: int = 420  # a lesson of ~250-300 words
    frequency_penalty: float = 0.4  # the small model loops on a sentence at temperature 0 without it
    sources_per_lesson: int = 3
    source_chars: int = 700  # of each source passage the writer reads
    support_threshold: float = 0.5  # share of a cited sentence's content words found in its source
