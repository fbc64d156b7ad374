"""What the creator agents share: when a checked draft is drafted again, and when it is shown."""

from __future__ import annotations

from agents.drafts import after_check, approval, drop_repeats, spread

FLAGGED = [{"text": "Master mixing.", "supported": False}]


def test_a_draft_with_problems_is_drafted_again_while_rounds_are_left() -> None:
    assert after_check({"problems": ["too long"], "rounds": 1}, max_rounds=1) == "draft"
    assert after_check({"problems": ["too long"], "rounds": 2}, max_rounds=1) == "review"
    assert after_check({"problems": [], "rounds": 1}, max_rounds=1) == "review"


def test_the_creators_edit_is_never_drafted_over() -> None:
    assert after_check({"problems": ["too long"], "rounds": 0, "edited": True}, max_rounds=1) == "review"


def test_an_approval_leaving_a_promise_unconfirmed_is_not_taken() -> None:
    assert approval(FLAGGED, {})["mode"] == "checked"
    assert approval(FLAGGED, {"confirmed": ["Master mixing."]}) == {"mode": "approved", "note": ""}


def test_a_sentence_the_model_repeats_is_kept_once() -> None:
    looped = "## Intro\n\nMusic is made of notes and rests. " + "It is not the center of the course. " * 5
    text, dropped = drop_repeats(looped)
    assert dropped == 4 and text.count("It is not the center of the course.") == 1 and "## Intro" in text


def test_short_repeats_like_headings_or_yes_are_left_alone() -> None:
    assert drop_repeats("Yes. Yes.\n\n## Summary\n\n## Summary")[1] == 0


def test_lessons_for_material_are_spread_across_the_course() -> None:
    assert spread(list(range(10)), 4) == [0, 3, 6, 9] and spread([1, 2], 4) == [1, 2] and spread([5, 6, 7], 1) == [5]
