"""Video assembly on ffmpeg: the MP4 has the streams, size and length it says (ffprobe), captions
burned in or carried soft and written as WebVTT that parses; durations that do not add up, a
failing ffmpeg and a cancel each end in a message with nothing left behind; a render resumes from
the scenes it already made."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest

from core.branding import Brand
from core.storage.folder import FolderStorageProvider
from media.cache import MediaCache
from media.images import slides
from media.progress import Cancelled, MediaError, Progress
from media.speech.espeak import EspeakSpeechProvider
from media.speech.factory import narrate
from media.video import assemble
from media.video.assemble import Scene, render
from media.video.ffmpeg import probe

CUE = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})$")


def scene(title: str, text: str, pad: float = 0.5) -> Scene:
    speech = narrate(EspeakSpeechProvider(), text)
    return Scene(slides.slide(title, [text], Brand()), speech.duration + pad, speech.wav, tuple(speech.timings))


def streams(mp4: bytes, folder: Path) -> tuple[dict[str, dict[str, object]], float]:
    path = folder / "out.mp4"
    path.write_bytes(mp4)
    found = probe(path)
    by_type = {str(s["codec_type"]): s for s in found["streams"]}  # type: ignore[attr-defined]
    return by_type, float(found["format"]["duration"])


def parse_vtt(text: str) -> list[tuple[float, float, str]]:
    assert text.startswith("WEBVTT\n\n")
    cues = []
    for block in text.strip().split("\n\n")[1:]:
        lines = block.split("\n")
        match = CUE.match(lines[1])
        assert match is not None, block
        g = [int(x) for x in match.groups()]
        start, end = g[0] * 3600 + g[1] * 60 + g[2] + g[3] / 1000, g[4] * 3600 + g[5] * 60 + g[6] + g[7] / 1000
        cues.append((start, end, " ".join(lines[2:])))
    return cues


def test_the_video_has_the_stated_streams_size_and_length(tmp_path: Path) -> None:
    scenes = [
        scene("Intervals", "Intervals measure the distance between notes."),
        scene("Triads", "Triads stack thirds."),
    ]
    video = render(scenes, "both")
    found, duration = streams(video.mp4, tmp_path)
    assert found["video"]["codec_name"] == "h264" and (found["video"]["width"], found["video"]["height"]) == (1280, 720)
    assert found["audio"]["codec_name"] == "aac" and found["subtitle"]["codec_name"] == "mov_text"
    assert abs(duration - video.duration) < 0.15
    assert abs(video.duration - sum(assemble.frames(s.duration) for s in scenes)) < 1e-6
    cues = parse_vtt(video.vtt)
    assert [c[2] for c in cues] == ["Intervals measure the distance between notes.", "Triads stack thirds."]
    assert cues[1][0] >= assemble.frames(scenes[0].duration) and all(a < b for a, b, _ in cues)
    assert video.poster == scenes[0].picture


def test_burned_captions_leave_no_subtitle_track(tmp_path: Path) -> None:
    found, _ = streams(render([scene("Cadences", "A cadence ends a phrase.")], "burned").mp4, tmp_path)
    assert set(found) == {"video", "audio"}


def test_a_scene_shorter_than_its_narration_is_refused() -> None:
    late = scene("Too long", "This narration takes longer than the scene lasts on screen.", pad=-1.0)
    with pytest.raises(MediaError, match="narration takes"):
        render([late])


def test_a_silent_scene_still_has_an_audio_track(tmp_path: Path) -> None:
    found, duration = streams(render([Scene(slides.title_card("Open Music Theory", "", Brand()), 2.0)]).mp4, tmp_path)
    assert "audio" in found and abs(duration - 2.0) < 0.15


def leftovers() -> list[str]:
    return [p.name for p in Path(tempfile.gettempdir()).glob("academy-render-*")]


def test_ffmpeg_failing_mid_render_is_a_message_and_leaves_nothing() -> None:
    before = leftovers()
    broken = Scene(b"not a picture at all", 2.0)
    with pytest.raises(MediaError, match="ffmpeg failed while rendering scene 2"):
        render([scene("Fine", "This one renders."), broken])
    assert leftovers() == before


def test_a_cancel_stops_the_render_and_leaves_nothing() -> None:
    before = leftovers()
    progress = Progress()

    def cancel_halfway(fraction: float, _: str) -> None:
        if fraction > 0.2:
            progress.cancel.set()

    progress.report = cancel_halfway
    with pytest.raises(Cancelled):
        render([scene("One", "First scene here."), scene("Two", "Second scene here.")], progress=progress)
    assert leftovers() == before


def test_a_render_resumes_from_the_scenes_it_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = MediaCache(FolderStorageProvider(tmp_path))
    first, second = scene("One", "First scene here."), scene("Two", "Second scene here.")
    with pytest.raises(MediaError):
        render([first, Scene(b"broken", 2.0)], cache=cache)
    made: list[int] = []
    real = assemble._segment

    def counting(*args: object) -> bytes:
        made.append(1)
        return real(*args)

    monkeypatch.setattr(assemble, "_segment", counting)
    render([first, second], cache=cache)
    assert len(made) == 1  # only the second scene was rendered again
