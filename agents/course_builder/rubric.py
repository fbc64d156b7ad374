"""The outline rubric: what a schema-valid outline can still get wrong, named so that a redraft (or
the creator) can fix it. An outline with no problems passes; fewer problems is better."""

from __future__ import annotations

from agents.course_builder.schemas import Shape
from core.text import stems
from tools.course_outlines import CourseOutline

# Words of a brief that say its form, not its topic ("a short beginner course of 2 modules").
BRIEF_WORDS = frozenset(
    {
        "course",
        "make",
        "draft",
        "build",
        "create",
        "lesson",
        "lessons",
        "module",
        "modules",
        "each",
        "per",
        "short",
        "quick",
        "small",
        "long",
        "beginner",
        "beginners",
        "intermediate",
        "advanced",
        "introduction",
        "intro",
        "about",
        "who",
        "want",
        "learn",
    }
)


def problems(outline: CourseOutline, shape: Shape, brief: str) -> list[str]:
    found: list[str] = []
    if not shape.modules[0] <= len(outline.modules) <= shape.modules[1]:
        found.append(f"the brief asks for {shape.modules[0]} module(s); the outline has {len(outline.modules)}")
    for module in outline.modules:
        if not shape.lessons[0] <= len(module.lessons) <= shape.lessons[1]:
            found.append(f"module '{module.title}' has {len(module.lessons)} lesson(s), not {shape.lessons[0]}")
        for lesson in module.lessons:
            if lesson.title.casefold() == module.title.casefold():
                found.append(f"lesson '{lesson.title}' has its module's title; name what it teaches")
            for objective in lesson.objectives:
                if len(objective.split()) < 3 or objective.casefold() == lesson.title.casefold():
                    found.append(f"an objective of '{lesson.title}' is too vague: '{objective}'")
    topic = stems(brief) - stems(" ".join(BRIEF_WORDS))
    named = stems(" ".join([outline.title, outline.description, *(m.title for m in outline.modules)]))
    if topic and not topic & named:
        found.append("the title, description and module titles never name the brief's topic")
    return found
