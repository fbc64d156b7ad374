"""The video tool: a script becomes a narrated, captioned 720p video of the course with its poster
and WebVTT, saved as artifacts; a retried render resumes from the stages it finished."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from core.db import Database
from core.errors import NotFound, ValidationFailed
from core.settings import Settings
from core.storage.factory import make_storage_provider
from courses import artifacts, changes
from ingestion import jobs
from ingestion.models import IngestionJob
from media.progress import MediaError
from media.speech.espeak import EspeakSpeechProvider
from media.video.assemble import render
from media.video.ffmpeg import probe
from tests.conftest import StoreWorld
from tests.media.test_video import parse_vtt
from tools import video as video_tool
from tools.base import ToolContext
from tools.registry import build_registry
from wiring import install_listeners


def script(world: StoreWorld, **extra: Any) -> dict[str, Any]:
    return {
        "course_id": world.course_id,
        "title": "Hear the cadence",
        "scenes": [
            {"narration": "Every phrase comes to rest. That resting point is a cadence.", "on_screen": "Cadences",
             "seconds": 3},
            {"narration": "The authentic cadence moves from dominant to tonic.", "on_screen": "Authentic",
             "points": ["V to I", "tonic in the soprano"], "visual": "a piano keyboard at dusk", "seconds": 3},
        ],
        **extra,
    }  # fmt: skip


def call(db: Database, settings: Settings, world: StoreWorld, args: dict[str, Any]) -> dict[str, Any]:
    ctx = ToolContext(db=db, principal=world.owner, settings=settings, run_id="run_video")
    return build_registry().invoke("render_video", ctx, args)


def read(db: Database, settings: Settings, world: StoreWorld, artifact_id: str) -> bytes:
    with db.transaction() as s:
        return artifacts.read_artifact(s, world.owner, make_storage_provider(settings), artifact_id).data


def test_a_script_becomes_a_video_with_its_poster_and_captions(
    db: Database, settings: Settings, store_a: StoreWorld, tmp_path: Path
) -> None:
    made = call(db, settings, store_a, script(store_a))
    assert made["scenes"] == 2 and made["video"]["kind"] == "video" and made["captions"]["kind"] == "captions"
    path = tmp_path / "v.mp4"
    path.write_bytes(read(db, settings, store_a, made["video"]["artifact_id"]))
    found = probe(path)
    streams = {s["codec_type"]: s for s in found["streams"]}  # type: ignore[attr-defined]
    assert (streams["video"]["width"], streams["video"]["height"]) == (1280, 720) and "subtitle" in streams
    assert abs(float(found["format"]["duration"]) - made["seconds"]) < 0.15
    cues = parse_vtt(read(db, settings, store_a, made["captions"]["artifact_id"]).decode())
    assert cues[0][2] == "Every phrase comes to rest." and cues[-1][1] <= made["seconds"]
    assert read(db, settings, store_a, made["poster"]["artifact_id"]).startswith(b"\x89PNG")


def test_a_failed_render_resumes_without_saying_the_scenes_again(
    db: Database, settings: Settings, store_a: StoreWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    said: list[int] = []
    real_say = EspeakSpeechProvider.say

    def counting_say(self: EspeakSpeechProvider, *args: Any) -> Any:
        said.append(1)
        return real_say(self, *args)

    def failing_render(*args: Any) -> Any:
        raise MediaError("ffmpeg failed while rendering scene 2: the disk is full")

    monkeypatch.setattr(EspeakSpeechProvider, "say", counting_say)
    monkeypatch.setattr(video_tool, "render", failing_render)
    with pytest.raises(MediaError):
        call(db, settings, store_a, script(store_a))
    assert len(said) == 2
    monkeypatch.setattr(video_tool, "render", render)
    assert call(db, settings, store_a, script(store_a))["scenes"] == 2
    assert len(said) == 2  # the voice stage was not done again


def test_a_scene_with_nothing_to_say_is_a_422_naming_it(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    args = script(store_a)
    args["scenes"][1]["narration"] = "🎵🎵"
    with pytest.raises(ValidationFailed) as caught:
        call(db, settings, store_a, args)
    assert caught.value.errors[0].field == "scenes.1.narration"


def test_the_preview_estimates_and_renders_nothing(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    shown = call(db, settings, store_a, script(store_a, preview=True))
    assert shown["changes"]["scenes"] == 2 and shown["changes"]["estimated_seconds"] >= 6
    with db.transaction() as s:
        assert artifacts.list_artifacts(s, store_a.owner, store_a.course_id, "video") == []


@pytest.fixture
def indexer(monkeypatch: pytest.MonkeyPatch) -> None:
    """The indexer listening for content changes, as the app installs it at start-up (its jobs are
    recorded; none is run here)."""
    monkeypatch.setattr(changes, "_listeners", [])
    monkeypatch.setattr(jobs, "_enqueue", None)
    install_listeners()
    monkeypatch.setattr(jobs, "_enqueue", None)


def _jobs(db: Database) -> list[list[str] | None]:
    with db.transaction() as s:
        return [job.source_ids for job in s.scalars(select(IngestionJob).order_by(IngestionJob.created_at))]


@pytest.mark.usefixtures("indexer")
def test_a_video_for_a_lesson_is_saved_with_it_and_its_captions_are_indexed(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    made = call(db, settings, store_a, script(store_a, lesson_id=store_a.paid_lesson_id))
    with db.transaction() as s:
        kept = artifacts.latest_for_lesson(s, store_a.owner, store_a.paid_lesson_id, "captions")
        assert kept is not None and kept.id == made["captions"]["artifact_id"]
    assert _jobs(db) == [[store_a.paid_lesson_id]]  # the lesson, captions included, is indexed again


def test_a_lesson_the_store_does_not_have_is_refused_before_rendering(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    with pytest.raises(NotFound, match="lsn_missing"):
        call(db, settings, store_a, script(store_a, lesson_id="lsn_missing", preview=True))


@pytest.mark.usefixtures("indexer")
def test_a_promos_captions_are_attached_to_a_lesson_and_indexed(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    with db.transaction() as s:
        promo = artifacts.save_artifact(s, store_a.owner, make_storage_provider(settings), course_id=store_a.course_id,
                                        kind="captions", title="Promo (captions)", data=b"WEBVTT\n",
                                        content_type="text/vtt")  # fmt: skip
    ctx = ToolContext(db=db, principal=store_a.owner, settings=settings)
    attached = build_registry().invoke("attach_captions", ctx, {"captions_id": promo.id,
                                                                 "lesson_id": store_a.paid_lesson_id})  # fmt: skip
    assert attached["artifact_id"] != promo.id and read(db, settings, store_a, attached["artifact_id"]) == b"WEBVTT\n"
    assert _jobs(db) == [[store_a.paid_lesson_id]]


def test_attaching_what_is_not_captions_is_a_422_naming_it(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    with db.transaction() as s:
        poster = artifacts.save_artifact(s, store_a.owner, make_storage_provider(settings), course_id=store_a.course_id,
                                         kind="image", title="Poster", data=b"\x89PNG", content_type="image/png")  # fmt: skip
    with pytest.raises(ValidationFailed, match="captions_id"):
        build_registry().invoke("attach_captions", ToolContext(db=db, principal=store_a.owner, settings=settings),
                                {"captions_id": poster.id, "lesson_id": store_a.paid_lesson_id})  # fmt: skip
