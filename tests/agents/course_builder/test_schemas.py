"""The outline's shape read from a brief, and the schema built from it."""

import pytest

from agents.course_builder.configuration import Configuration
from agents.course_builder.schemas import Shape, outline_schema, shape_of


@pytest.mark.parametrize(
    ("brief", "modules", "lessons"),
    [
        ("A course on mixing vocals", (2, 3), (2, 3)),
        ("3 modules of 2 lessons each on EQ", (3, 3), (2, 2)),
        ("A short course, 2 modules of 2 lessons", (2, 2), (2, 2)),  # regression: read as 2 lessons in all
        ("two modules, 3 lessons per module", (2, 2), (3, 3)),
        ("1 module with 1 lesson", (1, 1), (1, 1)),
        ("six lessons on compression", (2, 2), (3, 3)),
        ("4 modules, each with three lessons", (4, 4), (3, 3)),
    ],
)
def test_the_brief_sets_the_shape(brief: str, modules: tuple[int, int], lessons: tuple[int, int]) -> None:
    assert shape_of(brief, Configuration()) == Shape(modules, lessons)


def test_the_schema_holds_the_counts() -> None:
    schema = outline_schema(Shape((2, 2), (3, 3)), objectives=2)
    modules = schema["properties"]["modules"]
    assert (modules["minItems"], modules["maxItems"]) == (2, 2)
    assert modules["items"]["properties"]["lessons"]["minItems"] == 3


def test_the_rubric_reads_the_topic_not_the_form_of_the_brief() -> None:
    from agents.course_builder.rubric import problems
    from tests.courses.outline_factory import outline
    from tools.course_outlines import CourseOutline

    plan = CourseOutline.model_validate(outline(2, 2, title="Vocal mixing"))
    shape = Shape((2, 2), (2, 2))
    assert problems(plan, shape, "A short beginner course on vocals, 2 modules of 2 lessons") == []
    assert problems(plan, shape, "A short beginner course on drums") == [
        "the title, description and module titles never name the brief's topic"
    ]


def test_only_source_lessons_on_the_briefs_topic_are_offered_to_build_on() -> None:
    from agents.course_builder.outline import related_titles

    titles = ["Gain staging", "Intervals", "Vocal compression"]
    assert related_titles("A short course on vocal compression and gain", titles) == [
        "Gain staging",
        "Vocal compression",
    ]
    assert related_titles("A beginner course on baking bread", titles) == []
