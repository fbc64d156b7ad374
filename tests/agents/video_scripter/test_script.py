"""The script's schema bounds what the model can write to the length asked."""

from __future__ import annotations

from agents.video_scripter.script import WORDS_PER_SECOND, script_schema


def test_a_scripts_narration_cannot_outgrow_the_length_asked() -> None:
    schema = script_schema(5, 30)
    scenes = schema["properties"]["scenes"]
    longest = scenes["maxItems"] * scenes["items"]["properties"]["narration"]["maxLength"]
    seconds = longest / 6 / WORDS_PER_SECOND  # characters → words → seconds of speech
    assert scenes["maxItems"] == 5 and seconds <= 30 * 1.05
