"""What a speech engine does: say a list of sentences in a voice, as WAV audio with its duration
and when each sentence (or word, where the engine tells) is said. The text is checked and cut into
sentences here, once for every engine, so "nothing to say" reads the same on espeak and ElevenLabs."""

from __future__ import annotations

import io
import re
import unicodedata
import wave
from dataclasses import dataclass
from typing import Protocol

from core.errors import invalid
from media.progress import Progress

MAX_CHARS = 60_000  # a long lesson; a whole course is narrated lesson by lesson
SENTENCE = re.compile(r"(?<=[.!?…])\s+(?=\S)|\n{2,}")
UNSAYABLE = {"So", "Sk", "Cs", "Co", "Cn", "Cc", "Cf"}  # emoji and symbols, surrogates, unassigned, controls


@dataclass(frozen=True)
class Timing:
    start: float  # seconds
    end: float
    text: str


@dataclass(frozen=True)
class Speech:
    wav: bytes  # mono 16-bit PCM WAV
    duration: float  # seconds
    timings: list[Timing]  # sentences (espeak) or words (ElevenLabs), in order
    engine: str
    voice: str


class SpeechProvider(Protocol):
    name: str
    default_voice: str

    def check_voice(self, voice: str) -> str:
        """The voice to use; a 422 naming `voice` when the engine has no such voice."""
        ...

    def say(self, sentences: list[str], voice: str, progress: Progress) -> Speech:
        """Speak the sentences in order; `MediaError` (or `Cancelled`) when it cannot."""
        ...


def sentences(text: str, field: str = "text") -> list[str]:
    """The text cut into sentences, with what no voice can say (emoji, symbols, control characters)
    left out; a 422 naming `field` when it is empty, too long, or has nothing sayable."""
    if len(text) > MAX_CHARS:
        raise invalid(field, f"at most {MAX_CHARS:,} characters can be narrated at once (this is {len(text):,})")
    kept = "".join(" " if unicodedata.category(c) in UNSAYABLE and c != "\n" else c for c in text)
    cut = [re.sub(r"\s+", " ", part).strip() for part in SENTENCE.split(kept)]
    said = [part for part in cut if any(c.isalnum() for c in part)]
    if not said:
        shown = text.strip()[:40]
        raise invalid(field, "there is nothing to say" + (f": no words in {shown!r}" if shown else ""))
    return said


def wav_bytes(frames: bytes, rate: int) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return out.getvalue()


def read_wav(data: bytes) -> tuple[bytes, int]:
    """A mono 16-bit WAV's frames and rate."""
    with wave.open(io.BytesIO(data)) as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise ValueError("expected mono 16-bit audio")
        return w.readframes(w.getnframes()), w.getframerate()


def wav_duration(data: bytes) -> float:
    frames, rate = read_wav(data)
    return len(frames) / 2 / rate
