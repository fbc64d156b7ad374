"""A video from scenes: each scene a picture held while its narration plays, fading in and out,
its captions burned in (or carried as a soft track, or both), rendered as its own H.264/AAC 720p
segment; the segments are then joined without re-encoding, the soft captions muxed in, the poster
taken from the first scene, the WebVTT written from the same cues.

Segments are cached by a hash of what they are made of, so a render that was cancelled, failed or
crashed resumes at the first scene not yet made, and a scene that did not change is not made again.
Everything is made in a scratch folder that is removed whatever happens."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from media.cache import NO_CACHE, MediaCache, digest
from media.images.base import HEIGHT, WIDTH
from media.progress import MediaError, Progress
from media.speech.base import Timing, wav_duration
from media.video import captions, ffmpeg

FPS = 25
FADE = 0.4
Captions = Literal["burned", "soft", "both", "none"]
STYLE = "FontName=DejaVu Sans,FontSize=20,PrimaryColour=&H00FFFFFF,OutlineColour=&H80000000,BorderStyle=3,MarginV=28"
VERSION = "1"  # bump when the segment recipe changes: the cache keys change with it


@dataclass(frozen=True)
class Scene:
    picture: bytes  # PNG, 1280x720
    duration: float  # seconds on screen; at least the narration's length
    narration: bytes | None = None  # WAV
    timings: tuple[Timing, ...] = ()  # the narration's, from the scene's start


@dataclass(frozen=True)
class Video:
    mp4: bytes
    poster: bytes  # PNG
    vtt: str
    duration: float


def frames(seconds: float) -> float:
    return round(seconds * FPS) / FPS


def check(scenes: list[Scene]) -> list[float]:
    """Each scene's length on screen (whole frames); a 422-style `MediaError` for what cannot be made."""
    if not scenes:
        raise MediaError("a video needs at least one scene")
    lengths = []
    for n, scene in enumerate(scenes, 1):
        said = wav_duration(scene.narration) if scene.narration else 0.0
        if scene.duration < 1.0 or scene.duration > 600:
            raise MediaError(f"scene {n} lasts {scene.duration:.1f} s; a scene lasts 1 s to 10 minutes")
        if said > scene.duration + 0.05:
            raise MediaError(
                f"scene {n}'s narration takes {said:.1f} s, longer than the scene's {scene.duration:.1f} s"
            )
        lengths.append(frames(scene.duration))
    return lengths


def _segment(scene: Scene, length: float, mode: Captions, work: Path, n: int, progress: Progress) -> bytes:
    (work / f"s{n}.png").write_bytes(scene.picture)
    inputs = ["-loop", "1", "-framerate", str(FPS), "-i", f"s{n}.png"]
    if scene.narration:
        (work / f"s{n}.wav").write_bytes(scene.narration)
        inputs += ["-i", f"s{n}.wav"]
    else:
        inputs += ["-f", "lavfi", "-i", "anullsrc=r=44100:cl=stereo"]
    out = length - FADE
    video = f"[0:v]scale={WIDTH}:{HEIGHT},format=yuv420p,fade=t=in:st=0:d={FADE},fade=t=out:st={out:.3f}:d={FADE}"
    if mode in ("burned", "both") and scene.timings:
        (work / f"s{n}.srt").write_text(captions.srt(captions.cues(list(scene.timings))))
        video += f",subtitles=s{n}.srt:force_style='{STYLE}'"
    audio = (
        f"[1:a]aresample=44100,aformat=channel_layouts=stereo,apad,atrim=0:{length:.3f},"
        f"afade=t=out:st={out:.3f}:d={FADE}"
    )
    ffmpeg.run(
        [*inputs, "-filter_complex", f"{video}[v];{audio}[a]", "-map", "[v]", "-map", "[a]", "-t", f"{length:.3f}",
         "-r", str(FPS), "-c:v", "libx264", "-preset", "veryfast", "-tune", "stillimage", "-crf", "24",
         "-c:a", "aac", "-b:a", "128k", "-video_track_timescale", "12800", f"s{n}.mp4"],
        work, length, progress, f"rendering scene {n}",
    )  # fmt: skip
    return (work / f"s{n}.mp4").read_bytes()


def render(scenes: list[Scene], mode: Captions = "burned", cache: MediaCache = NO_CACHE,
           progress: Progress | None = None) -> Video:  # fmt: skip
    """The whole video; `MediaError` (or `Cancelled`) when it cannot be made, with nothing left behind."""
    progress = progress or Progress()
    ffmpeg.require()
    lengths = check(scenes)
    total = sum(lengths)
    cues: list[Timing] = []
    at = 0.0
    for scene, length in zip(scenes, lengths, strict=True):
        cues += [
            Timing(round(t.start + at, 3), round(t.end + at, 3), t.text) for t in captions.cues(list(scene.timings))
        ]
        at += length
    with tempfile.TemporaryDirectory(prefix="academy-render-") as scratch:
        work = Path(scratch)
        done = 0.0
        names = []
        for n, (scene, length) in enumerate(zip(scenes, lengths, strict=True), 1):
            progress.check()
            part = progress.part(done / total * 0.95, (done + length) / total * 0.95)
            burned = mode in ("burned", "both")
            key = digest("segment", version=VERSION, picture=scene.picture, narration=scene.narration or b"",
                         length=length, timings=[vars(t) for t in scene.timings] if burned else [])  # fmt: skip
            data = cache.get("segment", key, "mp4")
            if data is None:
                data = _segment(scene, length, mode, work, n, part)
                cache.put("segment", key, "mp4", data, "video/mp4")
            (work / f"part{n}.mp4").write_bytes(data)
            names.append(f"file 'part{n}.mp4'")
            done += length
        (work / "parts.txt").write_text("\n".join(names) + "\n")
        soft = mode in ("soft", "both") and cues
        args = ["-f", "concat", "-safe", "0", "-i", "parts.txt"]
        if soft:
            (work / "all.srt").write_text(captions.srt(cues))
            args += ["-i", "all.srt", "-map", "0:v", "-map", "0:a", "-map", "1:s", "-c:s", "mov_text",
                     "-metadata:s:s:0", "language=eng"]  # fmt: skip
        args += ["-c:v", "copy", "-c:a", "copy", "-movflags", "+faststart", "video.mp4"]
        ffmpeg.run(args, work, total, progress.part(0.95, 1.0), "joining the scenes", strict=False)
        mp4 = (work / "video.mp4").read_bytes()
    progress.tell(1.0, "video rendered")
    return Video(mp4, scenes[0].picture, captions.vtt(cues), total)
