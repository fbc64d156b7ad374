"""The claim check's rules, on a stand-in course of two passages: which sentences are promises, how
counts are read, and when a topic is held by the nearest lesson (by its words, by meaning, by both)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pytest

from rag.claims import check, check_count, promises
from rag.embeddings import Matrix
from rag.retriever import Citation, Passage

CADENCES = "A cadence ends a phrase. The perfect authentic cadence moves from V to I with the tonic in the soprano."
COUNTS = {"lessons": 12, "modules": 3}


def passage(text: str, title: str, lesson_id: str) -> Passage:
    citation = Citation("crs_1", "theory", lesson_id, title, "", [], None, f"/courses/theory/lessons/{lesson_id}")
    return Passage(text=text, score=1.0, citation=citation, source_id=lesson_id)


def search(_: str) -> list[Passage]:
    return [
        passage(CADENCES, "Cadence types", "lsn_cad"),
        passage("Intervals measure distance.", "Intervals", "lsn_int"),
    ]


def embed_as(similarity: float) -> Callable[[Sequence[str]], Matrix]:
    """Vectors whose cosine between the claim and every passage is `similarity`."""

    def embed(texts: Sequence[str]) -> Matrix:
        claim = np.array([1.0, 0.0], dtype=np.float32)
        other = np.array([similarity, (1 - similarity**2) ** 0.5], dtype=np.float32)
        return np.stack([claim, *[other for _ in texts[1:]]])

    return embed


def test_promises_are_told_from_hooks_greetings_and_calls_to_action() -> None:
    text = """Hi Sam,
Ever wondered why some endings feel final?
You will learn the perfect authentic cadence.
- Realize a figured bass line in four voices
Includes 12 lessons.
Enroll today and save 20%!
See you inside."""
    assert promises(text) == ["You will learn the perfect authentic cadence.",
                              "Realize a figured bass line in four voices", "Includes 12 lessons."]  # fmt: skip


@pytest.mark.parametrize(
    ("sentence", "held"),
    [
        ("Includes 12 lessons.", True),
        ("Includes 15 lessons.", False),
        ("Over 10 lessons of theory.", True),
        ("More than 20 lessons.", False),
        ("3 modules, start to finish.", True),
        ("Nearly 13 lessons.", True),
        ("Includes 40 hours of video.", False),
    ],
)
def test_a_count_is_read_against_the_course(sentence: str, held: bool) -> None:
    verdict = check_count(sentence, COUNTS)
    assert verdict is not None and verdict.supported is held and verdict.kind == "count"


def test_a_topic_in_the_nearest_lesson_is_held_and_named() -> None:
    [verdict] = check("You will learn the perfect authentic cadence.", search, embed_as(0.2), COUNTS)
    assert verdict.supported and verdict.lesson_id == "lsn_cad" and verdict.share == 1.0
    assert verdict.url == "/courses/theory/lessons/lsn_cad" and "authentic cadence" in (verdict.evidence or "")


def test_a_topic_held_in_meaning_but_other_words_is_held() -> None:
    [verdict] = check("Learn how phrases come to a close.", search, embed_as(0.8), COUNTS)
    assert verdict.supported


def test_a_topic_the_course_does_not_cover_is_flagged_with_the_nearest_lesson() -> None:
    [verdict] = check("You will learn to mix vocals with compression.", search, embed_as(0.3), COUNTS)
    assert not verdict.supported and verdict.lesson_title == "Cadence types"
    assert "do not cover" in verdict.reason and "compression" in verdict.reason


def test_a_vague_promise_has_nothing_to_check() -> None:
    [verdict] = check("You will learn so much.", search, embed_as(0.0), COUNTS)
    assert verdict.supported and verdict.reason == "promises nothing specific to check"


def test_a_promise_naming_the_topics_of_two_lessons_is_held() -> None:
    # Seen on the marketing eval: "staging, monitoring and EQ" spans three lessons; no one passage holds it.
    [verdict] = check("Learn the authentic cadence and how intervals measure distance.", search, embed_as(0.2), COUNTS)
    assert verdict.supported and verdict.share is not None and verdict.share < 0.75  # no one passage holds it


def test_a_promise_said_twice_is_checked_once() -> None:
    text = "You will learn the perfect authentic cadence. You will learn the perfect authentic cadence."
    assert len(check(text, search, embed_as(0.2), COUNTS)) == 1


def test_chatter_is_not_a_promise() -> None:
    assert promises("Let's get started! Don't worry, we'll make sure to keep it fun and engaging.") == []


def test_a_line_of_hashtags_is_not_a_promise() -> None:
    assert promises("Learn the authentic cadence.\n#OpenMusicTheory #Cadences #MusicTheory") == [
        "Learn the authentic cadence."
    ]
