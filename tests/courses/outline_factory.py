"""Outlines for tests: `outline(module_count, lesson_count)`, any field overridden by keyword."""

from typing import Any


def outline(module_count: int = 2, lesson_count: int = 2, **fields: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "title": "Mixing vocals",
        "description": "Clean, present vocals in a home studio.",
        "audience": "home producers",
        "level": "beginner",
        "modules": [
            {
                "title": f"Module {m + 1}",
                "lessons": [
                    {"title": f"Lesson {m + 1}.{n + 1}", "objectives": [f"Do step {m + 1}.{n + 1}"]}
                    for n in range(lesson_count)
                ],
            }
            for m in range(module_count)
        ],
    }
    return value | fields
