"""The embedded speech engine: `espeak-ng` (Debian's package, installed by `scripts/install-system`).
Each sentence is said by its own process, so its start and end in the narration are exact; the
sentences are joined with a short pause. Robotic, but real speech, offline, ~100x faster than said."""

from __future__ import annotations

import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

from core.errors import invalid
from media.progress import MediaError, Progress
from media.speech.base import Speech, Timing, read_wav, wav_bytes

RATE = 22050
PAUSE = 0.3  # seconds between sentences
WORDS_PER_MINUTE = 165


@lru_cache(maxsize=1)
def installed_voices() -> frozenset[str]:
    """The voice names espeak-ng knows (`en-us`, `de`, ...)."""
    listed = subprocess.run(["espeak-ng", "--voices"], capture_output=True, text=True, check=True).stdout
    return frozenset(line.split()[1] for line in listed.splitlines()[1:] if len(line.split()) > 1)


class EspeakSpeechProvider:
    name = "espeak-ng"
    default_voice = "en-us"

    def __init__(self, words_per_minute: int = WORDS_PER_MINUTE, workers: int = 2) -> None:
        if shutil.which("espeak-ng") is None:
            raise MediaError("espeak-ng is not installed: run scripts/install-system")
        self.wpm, self.workers = words_per_minute, workers

    def check_voice(self, voice: str) -> str:
        if voice not in installed_voices():
            raise invalid("voice", f"espeak-ng has no voice '{voice}' (try en-us, en-gb, de, fr, es)")
        return voice

    def _one(self, sentence: str, voice: str) -> bytes:
        done = subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(self.wpm), "--stdout", "--stdin"],
            input=sentence.encode(), capture_output=True, timeout=120,
        )  # fmt: skip
        if done.returncode != 0 or not done.stdout:
            raise MediaError(f"espeak-ng could not say {sentence[:60]!r}: {done.stderr.decode(errors='replace')[:200]}")
        frames, rate = read_wav(done.stdout)
        if rate != RATE:
            raise MediaError(f"espeak-ng answered {rate} Hz audio, expected {RATE}")
        return frames

    def say(self, sentences: list[str], voice: str, progress: Progress) -> Speech:
        parts: list[bytes] = []
        with ThreadPoolExecutor(self.workers) as pool:
            batch = self.workers * 4
            for start in range(0, len(sentences), batch):
                progress.check()
                parts += pool.map(lambda s: self._one(s, voice), sentences[start : start + batch])
                progress.tell(len(parts) / len(sentences), "narrating")
        silence = b"\0\0" * int(RATE * PAUSE)
        timings, frames, at = [], bytearray(), 0.0
        for sentence, audio in zip(sentences, parts, strict=True):
            length = len(audio) / 2 / RATE
            timings.append(Timing(round(at, 3), round(at + length, 3), sentence))
            frames += audio + silence
            at += length + PAUSE
        return Speech(wav_bytes(bytes(frames), RATE), len(frames) / 2 / RATE, timings, self.name, voice)
