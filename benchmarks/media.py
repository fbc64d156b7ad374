"""Media speed on what users meet: the demo course (Open Music Theory).

- Speech: every lesson of the demo course narrated with espeak-ng (the text a lesson's narration says:
  its title and prose), characters per second of wall time, and seconds of audio per second.
- Video: a 60-second promo of the demo course (a title card and slides of its lessons, each scene's
  narration and burned-in captions plus a soft track, 720p H.264/AAC), rendered from scratch (no
  cache): seconds of video per second of wall time (target: at least 1, i.e. rendered in no more
  than its own length), with the pictures and narration made first, timed apart.

Run: `python -m benchmarks.media` (writes benchmarks/results/media.{json,md})."""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import time
from pathlib import Path
from typing import Any

from benchmarks.common import machine, now, write
from core.branding import Brand
from core.errors import ValidationFailed
from core.settings import Settings
from media.images import slides
from media.images.factory import picture
from media.images.local import LocalImageProvider
from media.progress import Progress
from media.speech.base import sentences
from media.speech.espeak import EspeakSpeechProvider
from media.speech.markdown import spoken
from media.video.assemble import Scene, render

TARGET_SECONDS = 60.0


def lessons(folder: Path) -> list[tuple[str, str]]:
    """(title, narration text) of every Markdown lesson of the course folder."""
    found = []
    for path in sorted(folder.glob("*.md")):
        if path.name.upper() in ("README.MD", "SOURCE.MD", "404.MD"):
            continue
        body = path.read_text(errors="replace")
        title = path.stem
        found.append((title, f"{title}.\n\n{spoken(body)}"))
    return found


def speech_run(texts: list[tuple[str, str]]) -> dict[str, float]:
    engine = EspeakSpeechProvider()
    chars = seconds = 0.0
    start = time.perf_counter()
    for _, text in texts:
        try:
            said = sentences(text)
        except ValidationFailed:  # nothing to say: the tool refuses such a lesson too
            continue
        speech = engine.say(said, "en-us", _quiet())
        chars += sum(len(s) for s in said)
        seconds += speech.duration
    wall = time.perf_counter() - start
    return {"lessons": len(texts), "characters": chars, "audio_seconds": round(seconds, 1), "wall_seconds": round(wall, 2),
            "characters_per_second": round(chars / wall, 1), "audio_seconds_per_second": round(seconds / wall, 1)}  # fmt: skip


def _quiet() -> Progress:
    return Progress()


def promo_scenes(texts: list[tuple[str, str]]) -> tuple[list[Scene], float]:
    """Scenes of about TARGET_SECONDS: a title card, then a slide per lesson with its first sentences."""
    engine, pictures, brand = EspeakSpeechProvider(), LocalImageProvider(), Brand()
    start = time.perf_counter()
    opening = "Open Music Theory. Learn to hear and write harmony, one lesson at a time."
    said = engine.say(sentences(opening), "en-us", _quiet())
    scenes = [Scene(slides.title_card("Open Music Theory", "Hear harmony everywhere", brand,
                                      picture(pictures, opening, 1280, 720, brand)),
                    said.duration + 0.6, said.wav, tuple(said.timings))]  # fmt: skip
    total = scenes[0].duration
    for title, text in texts:
        if total >= TARGET_SECONDS:
            break
        try:
            lines = sentences(text)[1:3]
        except ValidationFailed:  # nothing to say: the tool refuses such a lesson too
            continue
        if not lines:
            continue
        speech = engine.say(lines, "en-us", _quiet())
        if total + speech.duration + 0.6 > TARGET_SECONDS + 5:
            continue
        backdrop = picture(pictures, title, 1280, 720, brand)
        scenes.append(Scene(slides.slide(title, lines, brand, backdrop), speech.duration + 0.6, speech.wav,
                            tuple(speech.timings)))  # fmt: skip
        total += speech.duration + 0.6
    return scenes, time.perf_counter() - start


def main() -> None:
    settings = Settings()
    texts = lessons(settings.demo_course_path)
    speech = speech_run(texts)
    scenes, prepared = promo_scenes(texts)
    start = time.perf_counter()
    video = render(scenes, "both")
    wall = time.perf_counter() - start
    v: dict[str, float] = {
        "scenes": len(scenes),
        "video_seconds": round(video.duration, 2),
        "render_wall_seconds": round(wall, 2),
        "video_seconds_per_second": round(video.duration / wall, 2),
        "mp4_bytes": len(video.mp4),
        "pictures_and_narration_seconds": round(prepared, 2),
    }
    m, s = machine(), speech
    report: dict[str, Any] = {"machine": m, "date": now(), "speech": s, "video": v}
    markdown = f"""# Media (`python -m benchmarks.media`)

{m["cpu"]}, {m["cores"]} cores, Python {m["python"]}; {report["date"]}. The demo course, Open Music Theory.

| speech: every lesson narrated with espeak-ng | value |
|---|---|
| lessons; characters said | {s["lessons"]}; {s["characters"]:,.0f} |
| audio made | {s["audio_seconds"]:,} s |
| wall time | {s["wall_seconds"]} s |
| **characters per second** | **{s["characters_per_second"]:,}** |
| seconds of audio per second | {s["audio_seconds_per_second"]} |

| video: a {v["video_seconds"]} s promo ({v["scenes"]} scenes, burned and soft captions, 720p) | value |
|---|---|
| pictures and narration made first | {v["pictures_and_narration_seconds"]} s |
| render (segments, join, captions), from scratch | {v["render_wall_seconds"]} s |
| **seconds of video per second** (target ≥ 1) | **{v["video_seconds_per_second"]}** |
| MP4 size | {v["mp4_bytes"] / 1e6:.1f} MB |
"""
    print(markdown)
    write("media", report, markdown)


if __name__ == "__main__":
    main()
