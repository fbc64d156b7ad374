"""The outline's JSON schema for constrained decoding: `courses.outlines.CourseOutline` with the
counts the brief asked for and strings short enough that the reply is bounded in tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from agents.course_builder.configuration import Configuration
from tools.course_outlines import MAX_LESSONS, MAX_MODULES

TITLE, OBJECTIVE, DESCRIPTION, AUDIENCE = 80, 110, 240, 80
WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
COUNT = r"(\d{1,2}|" + "|".join(WORDS) + r")\s+(?:short\s+|small\s+)?"


@dataclass(frozen=True)
class Shape:
    """How many modules, and lessons per module, an outline has: asked for in the brief, or a range."""

    modules: tuple[int, int]
    lessons: tuple[int, int]


def _number(word: str) -> int:
    return int(word) if word.isdigit() else WORDS[word]


def _asked(brief: str, noun: str) -> int | None:
    match = re.search(COUNT + noun, brief.lower())
    return _number(match.group(1)) if match else None


def _per_module(brief: str) -> int | None:
    """Lessons in each module: "2 lessons each", "3 lessons per module", "modules of 2 lessons"."""
    text = brief.lower()
    match = re.search(COUNT + r"lessons?(?:\s+each|\s+per\s+module|\s+in\s+each)", text)
    match = match or re.search(r"modules?,?\s+(?:each\s+)?(?:of|with)\s+" + COUNT + "lessons?", text)
    return _number(match.group(1)) if match else None


def shape_of(brief: str, conf: Configuration) -> Shape:
    """'3 modules of 2 lessons' fixes both counts; otherwise 2..max modules and 2..max lessons. A
    number of lessons in all ('six lessons') is spread over the modules."""
    modules = _asked(brief, "modules?")
    lessons = _per_module(brief)
    total = None if lessons else _asked(brief, "lessons?")
    if modules is not None:
        modules = max(1, min(modules, MAX_MODULES))
    if total is not None:
        total = max(1, min(total, MAX_MODULES * MAX_LESSONS))
        modules = modules or max(1, min(conf.max_modules, round(total / 3) or 1))
        lessons = max(1, round(total / modules))
    if lessons is not None:
        lessons = max(1, min(lessons, MAX_LESSONS))
    return Shape(
        modules=(modules, modules) if modules else (2, conf.max_modules),
        lessons=(lessons, lessons) if lessons else (2, conf.max_lessons),
    )


def _text(max_length: int) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "maxLength": max_length}


def outline_schema(shape: Shape, objectives: int) -> dict[str, Any]:
    lesson = {
        "type": "object",
        "properties": {
            "title": _text(TITLE),
            "objectives": {"type": "array", "items": _text(OBJECTIVE), "minItems": 1, "maxItems": objectives},
        },
        "required": ["title", "objectives"],
        "additionalProperties": False,
    }
    module = {
        "type": "object",
        "properties": {
            "title": _text(TITLE),
            "lessons": {"type": "array", "items": lesson, "minItems": shape.lessons[0], "maxItems": shape.lessons[1]},
        },
        "required": ["title", "lessons"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {
            "title": _text(TITLE),
            "description": _text(DESCRIPTION),
            "audience": _text(AUDIENCE),
            "level": {"enum": ["beginner", "intermediate", "advanced"]},
            "modules": {"type": "array", "items": module, "minItems": shape.modules[0], "maxItems": shape.modules[1]},
        },
        "required": ["title", "description", "audience", "level", "modules"],
        "additionalProperties": False,
    }


def outline_tokens(shape: Shape, objectives: int) -> int:
    """Room for the longest reply the schema allows (~3.5 characters a token, with JSON around)."""
    lesson = 12 + TITLE // 3 + objectives * (6 + OBJECTIVE // 3)
    module = 12 + TITLE // 3 + shape.lessons[1] * lesson
    return 40 + (TITLE + DESCRIPTION + AUDIENCE) // 3 + shape.modules[1] * module
