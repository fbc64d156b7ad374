"""Narration on espeak-ng: real speech whose WAV lasts what it says, sentence timings in order, the
text checked with a 422 naming it, a cancel honoured, a narration made once per text and voice."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import pytest

from core.errors import ValidationFailed
from core.storage.folder import FolderStorageProvider
from media.cache import MediaCache
from media.progress import Cancelled, Progress
from media.speech.base import Speech, sentences
from media.speech.espeak import EspeakSpeechProvider
from media.speech.factory import narrate

TEXT = "Intervals are the distance between two notes. We count them by letter names! Ready?"


def test_the_wav_lasts_the_stated_duration_and_the_timings_fit_it() -> None:
    speech = narrate(EspeakSpeechProvider(), TEXT)
    with wave.open(io.BytesIO(speech.wav)) as w:
        measured = w.getnframes() / w.getframerate()
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
    assert abs(measured - speech.duration) < 0.001 and 3.0 < measured < 12.0
    assert [t.text for t in speech.timings] == ["Intervals are the distance between two notes.",
                                                "We count them by letter names!", "Ready?"]  # fmt: skip
    ends = [(t.start, t.end) for t in speech.timings]
    assert all(a < b for a, b in ends) and all(ends[i][1] <= ends[i + 1][0] for i in range(len(ends) - 1))
    assert ends[-1][1] <= speech.duration


def test_what_no_voice_can_say_is_left_out() -> None:
    assert sentences("Mix it loud 🎧✨. Then\x07 master it.") == ["Mix it loud .", "Then master it."]


@pytest.mark.parametrize("text", ["", "   \n ", "🎧✨🎵", "x" * 60_001])
def test_text_that_cannot_be_narrated_is_a_422_naming_it(text: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        narrate(EspeakSpeechProvider(), text)
    assert caught.value.errors[0].field == "text"


def test_an_unknown_voice_is_a_422_naming_it() -> None:
    with pytest.raises(ValidationFailed) as caught:
        narrate(EspeakSpeechProvider(), TEXT, voice="klingon")
    assert caught.value.errors[0].field == "voice"


def test_another_language_is_spoken_in_its_voice() -> None:
    assert narrate(EspeakSpeechProvider(), "Guten Morgen. Wie geht es dir?", voice="de").duration > 1.0


def test_a_cancelled_narration_stops() -> None:
    progress = Progress()
    progress.cancel.set()
    with pytest.raises(Cancelled):
        narrate(EspeakSpeechProvider(), TEXT, progress=progress)


def test_progress_is_reported_to_the_end() -> None:
    seen: list[float] = []
    narrate(EspeakSpeechProvider(), TEXT, progress=Progress(lambda fraction, _: seen.append(fraction)))
    assert seen and seen[-1] == 1.0 and seen == sorted(seen)


def test_a_narration_is_made_once_per_text_and_voice(tmp_path: Path) -> None:
    cache = MediaCache(FolderStorageProvider(tmp_path))
    calls: list[int] = []

    class Counting(EspeakSpeechProvider):
        def say(self, said: list[str], voice: str, progress: Progress) -> Speech:
            calls.append(1)
            return super().say(said, voice, progress)

    engine = Counting()
    first, again = narrate(engine, TEXT, cache=cache), narrate(engine, TEXT, cache=cache)
    assert len(calls) == 1 and first.wav == again.wav and first.timings == again.timings
    narrate(engine, TEXT, voice="en-gb", cache=cache)
    assert len(calls) == 2
