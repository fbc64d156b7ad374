"""The script's schema bounds what the model can write to the length asked."""

from __future__ import annotations

from agents.video_scripter.script import WORDS_PER_SECOND, fitted, script_schema


def test_a_scripts_narration_cannot_outgrow_the_length_asked() -> None:
    schema = script_schema(5, 30)
    scenes = schema["properties"]["scenes"]
    longest = scenes["maxItems"] * scenes["items"]["properties"]["narration"]["maxLength"]
    seconds = longest / 6 / WORDS_PER_SECOND  # characters → words → seconds of speech
    assert scenes["maxItems"] == 5 and seconds <= 30 * 1.05


def test_a_scene_lasts_what_its_narration_takes_not_what_the_model_says() -> None:
    twenty_words = " ".join(["word"] * 20)  # about 8.3 seconds of speech
    assert fitted({"narration": twenty_words, "seconds": 20}) == 11  # at most two seconds of silence
    assert fitted({"narration": twenty_words, "seconds": 3}) == 9  # never cut short
    assert fitted({"narration": "Hello there.", "seconds": 1}) == 3
