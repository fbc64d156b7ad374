"""The ElevenLabs adapter on its real SDK against a loopback ElevenLabs: PCM becomes WAV of the
stated length, character timings become word timings, long text goes in sentence chunks with their
neighbours, a 429 is tried again, a wrong key or voice is a message naming the setting."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from media.progress import MediaError
from media.speech import elevenlabs
from media.speech.base import wav_duration
from media.speech.elevenlabs import ElevenLabsSpeechProvider
from media.speech.factory import narrate
from tests.media.elevenlabs_server import CHAR_SECONDS, KEY, VOICE, LoopbackElevenLabs, loopback_elevenlabs


@pytest.fixture
def server() -> Iterator[LoopbackElevenLabs]:
    with loopback_elevenlabs() as found:
        yield found


def engine(server: LoopbackElevenLabs, key: str = KEY) -> ElevenLabsSpeechProvider:
    return ElevenLabsSpeechProvider(key, VOICE, "eleven_multilingual_v2", server.url)


def test_speech_arrives_as_wav_with_word_timings(server: LoopbackElevenLabs) -> None:
    speech = narrate(engine(server), "Hear the cadence. Feel it resolve.")
    assert abs(wav_duration(speech.wav) - speech.duration) < 0.001
    assert abs(speech.duration - len("Hear the cadence. Feel it resolve.") * CHAR_SECONDS) < 0.01
    assert [t.text for t in speech.timings] == ["Hear", "the", "cadence.", "Feel", "it", "resolve."]
    assert speech.timings[1].start == pytest.approx(5 * CHAR_SECONDS)
    [request] = server.seen
    assert request["model_id"] == "eleven_multilingual_v2" and request["text"] == "Hear the cadence. Feel it resolve."


def test_long_text_goes_in_chunks_that_know_their_neighbours(
    server: LoopbackElevenLabs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(elevenlabs, "CHUNK_CHARS", 40)
    speech = narrate(engine(server), "One short sentence here. Another sentence follows it. And a third one.")
    assert len(server.seen) == 3
    assert server.seen[1]["previous_text"] == "One short sentence here."
    assert server.seen[1]["next_text"] == "And a third one."
    words = [t.text for t in speech.timings]
    assert words[-3:] == ["a", "third", "one."] and speech.timings[-1].end <= speech.duration + 1e-6


def test_a_429_is_tried_again(server: LoopbackElevenLabs, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("media.speech.elevenlabs.time.sleep", lambda _: None)
    server.throttle(1)
    assert narrate(engine(server), "Again, please.").duration > 0


def test_a_wrong_key_names_the_setting(server: LoopbackElevenLabs) -> None:
    with pytest.raises(MediaError, match="ACADEMY_ELEVENLABS_API_KEY"):
        narrate(engine(server, key="wrong"), "Hello.")


def test_an_unknown_voice_names_the_setting(server: LoopbackElevenLabs) -> None:
    with pytest.raises(MediaError, match="ACADEMY_ELEVENLABS_VOICE"):
        narrate(engine(server), "Hello.", voice="nobody")
