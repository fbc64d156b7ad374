"""Chapter audio: a lesson narrated to MP3 and attached to the lesson, kept while current, narrated
again once the lesson changes; a course narrated lesson by lesson; the player on the lesson page
for those who may read the lesson."""

from __future__ import annotations

import subprocess

import pytest
from fastapi.testclient import TestClient

from core.db import Database
from core.errors import ValidationFailed
from core.principal import Principal
from core.settings import Settings
from core.storage.factory import make_storage_provider
from courses import artifacts, catalog
from tests.conftest import StoreWorld, login, principal_of
from tools.base import ToolContext
from tools.media_tasks import refresh, stale_narrations
from tools.registry import build_registry


def ctx(db: Database, settings: Settings, principal: Principal) -> ToolContext:
    return ToolContext(db=db, principal=principal, settings=settings, run_id="run_test")


def narrated(db: Database, settings: Settings, world: StoreWorld, **extra: object) -> dict[str, object]:
    args = {"lesson_id": world.preview_lesson_id, **extra}
    return build_registry().invoke("narrate_lesson", ctx(db, settings, world.owner), args)


def seconds_of(mp3: bytes, folder: object) -> float:
    path = f"{folder}/n.mp3"
    with open(path, "wb") as f:
        f.write(mp3)
    said = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration:stream=codec_name",
                           "-of", "default=nw=1", path], capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert "codec_name=mp3" in said
    return float(said.split("duration=")[1].split()[0])


def test_a_lesson_is_narrated_to_mp3_attached_to_it(
    db: Database, settings: Settings, store_a: StoreWorld, tmp_path: object
) -> None:
    made = narrated(db, settings, store_a)
    artifact = made["artifact"]
    assert isinstance(artifact, dict) and made["made"] is True
    assert (artifact["kind"], artifact["lesson_id"], artifact["version"], artifact["current"]) == (
        "audio", store_a.preview_lesson_id, 1, True)  # fmt: skip
    with db.transaction() as s:
        file = artifacts.read_artifact(s, store_a.owner, make_storage_provider(settings), str(artifact["artifact_id"]))
    assert file.artifact.content_type == "audio/mpeg"
    assert abs(seconds_of(file.data, tmp_path) - float(made["seconds"])) < 0.2


def test_a_current_narration_is_kept_and_a_changed_lesson_is_narrated_again(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    first = narrated(db, settings, store_a)
    again = narrated(db, settings, store_a)
    assert again["made"] is False and again["artifact"] == first["artifact"]
    with db.transaction() as s:
        catalog.update_lesson(s, store_a.owner, store_a.preview_lesson_id, {"body_md": "A new text. Said anew."})
    assert [lesson for _, lesson, _ in stale_narrations(db, settings)] == [store_a.preview_lesson_id]
    assert refresh(db, settings) == 1 and stale_narrations(db, settings) == []
    with db.transaction() as s:
        newest = artifacts.latest_for_lesson(s, store_a.owner, store_a.preview_lesson_id, "audio")
        assert newest is not None and newest.version == 2


def test_a_narration_in_another_voice_is_refreshed_in_that_voice(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    narrated(db, settings, store_a, voice="en-gb")
    with db.transaction() as s:
        catalog.update_lesson(s, store_a.owner, store_a.preview_lesson_id, {"title": "Renamed"})
    assert stale_narrations(db, settings) == [(store_a.store_id, store_a.preview_lesson_id, "en-gb")]


def test_a_lesson_with_nothing_to_say_is_a_422(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        catalog.update_lesson(s, store_a.owner, store_a.preview_lesson_id, {"title": "🎧", "body_md": "![](x.png)"})
    with pytest.raises(ValidationFailed) as caught:
        narrated(db, settings, store_a)
    assert caught.value.errors[0].field == "lesson_id"


def test_an_unknown_voice_is_a_422(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    with pytest.raises(ValidationFailed) as caught:
        narrated(db, settings, store_a, voice="klingon")
    assert caught.value.errors[0].field == "voice"


def test_the_preview_estimates_and_makes_nothing(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    shown = narrated(db, settings, store_a, preview=True)
    changes = shown["changes"]
    assert isinstance(changes, dict) and changes["estimated_seconds"] > 0 and changes["already_current"] is False
    with db.transaction() as s:
        assert artifacts.latest_for_lesson(s, store_a.owner, store_a.preview_lesson_id, "audio") is None


def test_a_course_is_narrated_lesson_by_lesson(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    done = build_registry().invoke("narrate_course", ctx(db, settings, store_a.owner), {"course_id": store_a.course_id})
    lessons = {n["lesson_id"] for n in done["narrations"]}
    assert {store_a.preview_lesson_id, store_a.paid_lesson_id} <= lessons and done["made"] == len(lessons)


def test_a_learner_who_may_read_the_lesson_gets_the_player(
    client: TestClient, db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    made = narrated(db, settings, store_a)
    auth = login(client, store_a.learner_email, store_a.slug)
    with db.transaction() as s:
        slug = catalog.course_in_store(s, store_a.owner, store_a.course_id).slug
    page = client.get(f"/courses/{slug}/lessons/{store_a.preview_lesson_id}", headers=auth)
    artifact = made["artifact"]
    assert isinstance(artifact, dict) and f'src="/v1/artifacts/{artifact["artifact_id"]}/file"' in page.text
    audio = client.get(f"/v1/artifacts/{artifact['artifact_id']}/file", headers=auth)
    assert audio.status_code == 200 and audio.headers["content-type"] == "audio/mpeg"
    learner = principal_of(db, store_a.learner_email, store_a.store_id)
    with db.transaction() as s:
        assert artifacts.latest_for_lesson(s, learner, store_a.preview_lesson_id, "audio") is not None


def test_a_keyed_narration_holds_no_lock_while_it_works_and_replays(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    # With the registry's transaction open around the work, the narration's own save would wait on
    # SQLite's write lock (the idempotency record holds it) and fail as "database is locked".
    reg, c = build_registry(), ctx(db, settings, store_a.owner)
    first = reg.invoke("narrate_lesson", c, {"lesson_id": store_a.preview_lesson_id}, idempotency_key="k1")
    again = reg.invoke("narrate_lesson", c, {"lesson_id": store_a.preview_lesson_id}, idempotency_key="k1")
    assert first == again and first["made"] is True
