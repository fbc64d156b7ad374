"""The speech engine the settings name (espeak-ng by default), and narration through the cache."""

from __future__ import annotations

import json

from core.settings import Settings
from media.cache import NO_CACHE, MediaCache, digest
from media.progress import MediaError, Progress
from media.speech.base import Speech, SpeechProvider, Timing, sentences


def make_speech_provider(settings: Settings) -> SpeechProvider:
    if settings.speech_provider == "elevenlabs":
        from media.speech.elevenlabs import ElevenLabsSpeechProvider

        if settings.elevenlabs_api_key is None:
            raise MediaError("ACADEMY_SPEECH_PROVIDER=elevenlabs needs ACADEMY_ELEVENLABS_API_KEY")
        key = settings.elevenlabs_api_key.get_secret_value()
        return ElevenLabsSpeechProvider(
            key, settings.elevenlabs_voice, settings.elevenlabs_model, settings.elevenlabs_base_url
        )
    from media.speech.espeak import EspeakSpeechProvider

    engine = EspeakSpeechProvider()
    engine.default_voice = settings.speech_voice
    return engine


def narrate(engine: SpeechProvider, text: str, voice: str | None = None, cache: MediaCache = NO_CACHE,
            progress: Progress | None = None, field: str = "text") -> Speech:  # fmt: skip
    """The text said in the voice: checked (a 422 naming `field`), made once per (engine, voice, text)."""
    said = sentences(text, field)
    voice = engine.check_voice(voice or engine.default_voice)
    key = digest("speech", engine=engine.name, voice=voice, sentences=said)
    wav, meta = cache.get("speech", key, "wav"), cache.get("speech", key, "json")
    if wav is not None and meta is not None:
        loaded = json.loads(meta)
        timings = [Timing(t["start"], t["end"], t["text"]) for t in loaded["timings"]]
        return Speech(wav, loaded["duration"], timings, engine.name, voice)
    speech = engine.say(said, voice, progress or Progress())
    cache.put("speech", key, "wav", speech.wav, "audio/wav")
    record = {"duration": speech.duration, "timings": [vars(t) for t in speech.timings]}
    cache.put("speech", key, "json", json.dumps(record).encode(), "application/json")
    return speech
