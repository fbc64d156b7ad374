"""The virality score's features: each moves the score the way its reason says."""

from __future__ import annotations

from agents.social_writer.virality import score, targets

TOPICS = {"cadence", "phrase", "tonic", "dominant"}
GOOD = ["Why do some songs feel finished? It's the cadence.", "A cadence ends a phrase: dominant to tonic.",
        "Learn every cadence type in the course. Enroll today."]  # fmt: skip


def test_a_hooked_specific_thread_with_a_call_to_action_scores_high() -> None:
    made = score("x_thread", GOOD, TOPICS)
    assert made.total >= 80 and all(f.value > 0.5 for f in made.features)


def test_no_call_to_action_costs_its_share_and_says_what_to_do() -> None:
    made = score("x_thread", [*GOOD[:2], "Cadences are everywhere in music."], TOPICS)
    cta = next(f for f in made.features if f.name == "cta")
    assert cta.value == 0.0 and "end with what to do" in cta.reason
    assert made.total < score("x_thread", GOOD, TOPICS).total


def test_a_thread_post_over_280_characters_is_too_long() -> None:
    made = score("x_thread", [GOOD[0], "x " * 200, GOOD[2]], TOPICS)
    length = next(f for f in made.features if f.name == "length")
    assert length.value < 0.5 and "over 280" in length.reason


def test_a_flat_first_line_is_no_hook() -> None:
    flat = score("linkedin", ["Music theory matters a great deal for musicians of every kind and level."], TOPICS)
    hook = next(f for f in flat.features if f.name == "hook")
    assert hook.value == 0.5 and "does not pull" in hook.reason


def test_the_judge_takes_a_fifth_of_the_score() -> None:
    assert score("x_thread", GOOD, TOPICS, judge=5).total > score("x_thread", GOOD, TOPICS, judge=1).total
    assert "judge: 5/5" in score("x_thread", GOOD, TOPICS, judge=5).reasons()


def test_the_hook_of_a_one_paragraph_post_is_its_first_sentence() -> None:
    paragraph = "Why do phrases sound finished? " + "A cadence ends a phrase, dominant to tonic. " * 14
    hook = next(f for f in score("linkedin", [paragraph], TOPICS).features if f.name == "hook")
    assert hook.value == 1.0 and "is short, and it pulls" in hook.reason


def test_sharing_news_is_not_a_call_to_action() -> None:
    # Seen on the local model: "I'm excited to share with you a new course" scored as asking to act.
    cta = next(f for f in score("linkedin", ["I'm excited to share with you a new course."], TOPICS).features
               if f.name == "cta")  # fmt: skip
    assert cta.value == 0.0


def test_a_revision_is_ordered_to_fix_each_weak_feature() -> None:
    flat = ["Music theory matters a great deal for musicians of every kind and level."]
    orders = targets("linkedin", score("linkedin", flat, TOPICS), TOPICS)
    assert "Make it 600 to 1,300 characters." in orders and any(o.startswith("End with what to do") for o in orders)
    assert not targets("x_thread", score("x_thread", GOOD, TOPICS), TOPICS)  # nothing weak, nothing to order
