"""What the social writer counts as the course's topics, and which posts it revises."""

from __future__ import annotations

from agents.social_writer.posts import topics_of
from core.text import stems


def test_the_courses_topics_are_its_titles_words_not_every_word_of_its_text() -> None:
    outline = {"title": "Open Music Theory", "modules": [
        {"title": "Introduction to harmony", "lessons": [{"title": "Cadence types"}, {"title": "The basics of triads"}]},
    ]}  # fmt: skip
    assert topics_of(outline) == stems("open music theory harmony cadence types triads")
