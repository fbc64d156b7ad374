"""What the answer step reads: the question's sentences of each passage, within the budget."""

from agents.course_assistant.citations import CitationBook
from agents.course_assistant.context import fit_passages
from agents.course_assistant.graph import build_spec, passage_blocks

FILLER = " ".join(f"Unrelated sentence number {i} about something else entirely." for i in range(30))


def passage(text: str, lesson: str = "l1") -> dict:
    return {"lesson_id": lesson, "lesson_title": f"Lesson {lesson}", "heading": "H", "text": text}


def test_the_sentence_about_the_question_survives_a_long_passage() -> None:
    text = f"{FILLER} A deceptive cadence moves from the dominant to the submediant chord. {FILLER}"
    [fitted] = fit_passages([passage(text)], "What is a deceptive cadence?", 300)
    assert "deceptive cadence moves from the dominant" in fitted.text
    assert len(fitted.text) <= 320 and "…" in fitted.text


def test_the_budget_bounds_all_passages_together() -> None:
    passages = [passage(f"Cadence fact {i}. {FILLER}", f"l{i}") for i in range(4)]
    fitted = fit_passages(passages, "cadence fact", 600)
    assert sum(len(f.text) for f in fitted) <= 700
    assert [f.passage["lesson_id"] for f in fitted] == ["l0", "l1", "l2", "l3"]  # each keeps its best sentence


def test_short_passages_are_kept_whole() -> None:
    text = "A cadence ends a phrase. It gives a sense of closure."
    [fitted] = fit_passages([passage(text)], "What is a cadence?", 1200)
    assert fitted.text == text


def test_only_shown_passages_get_numbers() -> None:
    book = CitationBook()
    blocks = passage_blocks(
        book, [passage("Cadences end phrases.", "a"), passage("Scales have steps.", "b")], "cadence", 30
    )
    assert "[1]" in blocks and "[2]" not in blocks and len(book.passages) == 1


def test_a_content_question_is_searched_without_a_decision() -> None:
    spec = build_spec(CitationBook(), "crs_1")
    assert spec.prefetch is not None
    call = spec.prefetch("What is a deceptive cadence?")
    assert call == {
        "name": "search_course_content",
        "args": {"query": "What is a deceptive cadence?", "limit": 4, "course_id": "crs_1"},
    }


def test_a_question_about_my_progress_goes_to_the_models_decision() -> None:
    spec = build_spec(CitationBook(), "crs_1")
    assert spec.prefetch is not None
    assert spec.prefetch("How far am I in this course?") is None
    assert spec.prefetch("Mark the intro lesson complete") is None


def test_word_forms_meet() -> None:
    text = (
        "Unrelated opening words here today. Chords appear in many songs we love. A chord is built by stacking thirds."
    )
    [fitted] = fit_passages([passage(text)], "How are chords built?", 45)
    assert "stacking thirds" in fitted.text and "songs" not in fitted.text


def test_a_table_row_counts_less_than_a_sentence_saying_as_much() -> None:
    row = "| almond | white_bread | yeast | yogurt | zucchini |"
    prose = "Bread and yeast are what a baker buys first."  # as many of the question's words as the row
    text = f"{FILLER} {row}\n{FILLER} {prose} {FILLER}"
    [fitted] = fit_passages([passage(text)], "Why does bread dough rise with yeast?", 70)
    assert "baker buys first" in fitted.text and "zucchini" not in fitted.text
