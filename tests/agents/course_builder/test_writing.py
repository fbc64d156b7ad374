"""Writing a lesson: uncited sentences attributed, citations checked (repeats: `tests/agents/test_drafts.py`)."""

from agents.course_builder.writing import finish_body

PASSAGE = {
    "text": "Gain staging is setting the level at each stage so nothing clips.",
    "lesson_title": "Gain",
    "url": "/g",
}


def test_a_lesson_without_a_source_is_marked_as_the_models_own() -> None:
    body, report = finish_body("Compression lowers loud parts.", "Compression", [], 0.5)
    assert body.startswith("> *Drafted by the assistant from general knowledge") and report["own"] is True


def test_a_lesson_from_its_source_is_cited_and_lists_it() -> None:
    body, report = finish_body(
        "Gain staging is setting the level at each stage so nothing clips.", "Gain", [PASSAGE], 0.5
    )
    assert "nothing clips [1]." in body and body.endswith("## Sources\n\n1. [Gain](/g)\n")
    assert (report["attributed"], report["cited"], report["own"]) == (1, 1, False)
