"""Narration as a file people download and players stream: MP3 (44.1 kHz, 64 kb/s mono, ~0.5 MB a
minute, against ~2.6 MB of the WAV the engines make), encoded by ffmpeg."""

from __future__ import annotations

import tempfile
from pathlib import Path

from media.progress import Progress
from media.speech.base import wav_duration
from media.video import ffmpeg


def to_mp3(wav: bytes, progress: Progress | None = None) -> bytes:
    ffmpeg.require()
    with tempfile.TemporaryDirectory(prefix="academy-audio-") as scratch:
        work = Path(scratch)
        (work / "in.wav").write_bytes(wav)
        args = ["-i", "in.wav", "-ar", "44100", "-ac", "1", "-c:a", "libmp3lame", "-b:a", "64k", "out.mp3"]
        ffmpeg.run(args, work, wav_duration(wav), progress or Progress(), "encoding the narration")
        return (work / "out.mp3").read_bytes()
