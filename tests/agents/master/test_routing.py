"""The master's routing rules for the video scripter (the other routes are tested with the graph)."""

from __future__ import annotations

from agents.master.routing import route


def test_a_video_goes_to_the_video_scripter() -> None:
    assert route("Make a 30-second promo video of this course") == "video_scripter"
    assert route("Create a trailer for my course") == "video_scripter"


def test_a_cheat_sheet_still_goes_to_the_study_guides() -> None:
    assert route("Make a cheat sheet to go with the promo video") == "study_guides"


def test_an_email_sequence_goes_to_the_email_writer() -> None:
    assert route("Write a 5-email nurture sequence for my course") == "email_writer"
    assert route("How many emails did my welcome sequence send?") == "assistant"


def test_social_posts_go_to_the_social_writer() -> None:
    assert route("Write an X thread and a LinkedIn post for this course") == "social_writer"
    assert route("Draft an Instagram caption about cadences") == "social_writer"
    assert route("Make a reels video of the course") == "video_scripter"  # a video is made, not written
