"""Style notes derived from a creator's edits: clear changes become rules, small ones do not."""

from agents.style_notes import from_outline_edit, from_text_edit
from tests.courses.outline_factory import outline

DRAFT = "Welcome to the lesson! Compression is great! " + "Compression lowers loud parts of a signal. " * 10


def test_a_much_shorter_version_says_keep_it_short() -> None:
    assert from_text_edit(DRAFT, "Compression lowers loud parts.")[0].startswith("Keep it short")


def test_a_small_fix_says_nothing() -> None:
    assert from_text_edit(DRAFT, DRAFT.replace("great", "useful")) == []


def test_lists_you_and_no_exclamations_are_noticed() -> None:
    final = DRAFT.replace("!", ".") + "\n- you set the ratio\n- you set the attack\n- your release\n"
    assert set(from_text_edit(DRAFT, final)) == {
        "Use bullet lists for steps and key points.",
        'Speak to the learner as "you".',
        "No exclamation marks.",
    }


def test_shorter_lesson_titles_and_a_fixed_number_of_objectives() -> None:
    draft = outline(1, 2)
    for lesson in draft["modules"][0]["lessons"]:
        lesson["title"] = "A long and winding lesson title about vocals"
        lesson["objectives"] = ["one thing to do", "another thing to do"]
    final = outline(1, 2)
    final["modules"][0]["lessons"][0]["title"] = "Vocal EQ"
    final["modules"][0]["lessons"][1]["title"] = "Vocal reverb"
    assert from_outline_edit(draft, final) == ["Short lesson titles, about 2 words.", "1 objective(s) per lesson."]
