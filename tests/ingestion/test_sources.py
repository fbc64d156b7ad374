"""What is indexed for a course beyond its lessons: a lesson's newest video captions, read from the
object store as any uploaded WebVTT is, and found by search with the moment they are said."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from core.db import Database
from core.settings import Settings
from core.storage.factory import make_storage_provider
from courses import artifacts
from courses.models import Artifact
from ingestion import jobs
from ingestion.sources import course_sources
from rag.index import SearchFilter
from rag.retriever import Retriever
from tests.conftest import StoreWorld
from tests.retrieval_fixtures import make_runtime

OLD = "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nAn older take.\n"
VTT = ("WEBVTT\n\n00:00:00.000 --> 00:00:03.000\nEvery phrase comes to rest.\n\n"
       "00:00:03.000 --> 00:00:07.500\nThe plagal cadence moves from the subdominant to the tonic.\n")  # fmt: skip


def captions(db: Database, settings: Settings, world: StoreWorld, text: str, lesson: bool = True) -> str:
    with db.transaction() as s:
        saved = artifacts.save_artifact(
            s, world.owner, make_storage_provider(settings), course_id=world.course_id, kind="captions",
            title="Hear the cadence (captions)", data=text.encode(), content_type="text/vtt",
            lesson_id=world.paid_lesson_id if lesson else None,
        )  # fmt: skip
        return saved.id


def test_a_lessons_newest_captions_are_its_video_source_with_their_timings(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    captions(db, settings, store_a, OLD)
    captions(db, settings, store_a, VTT)
    captions(db, settings, store_a, "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nA promo of the course.\n", lesson=False)
    with db.transaction() as s:
        found = course_sources(s, store_a.store_id, store_a.course_id, None, make_storage_provider(settings))
    [video] = [x for x in found if x.source_id.endswith(":captions")]
    assert video.source_id == f"{store_a.paid_lesson_id}:captions" and video.document_title == "Video: Hear the cadence"
    assert [(x.start_s, x.text) for x in video.document.sections][-1][0] == 3.0
    assert "older take" not in " ".join(x.text for x in video.document.sections)


def test_without_an_object_store_no_captions_are_read(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    captions(db, settings, store_a, VTT)
    with db.transaction() as s:
        assert not [x for x in course_sources(s, store_a.store_id, store_a.course_id) if ":captions" in x.source_id]


def test_the_video_is_found_by_search_at_the_moment_it_says_it(
    db: Database, settings: Settings, store_a: StoreWorld, tmp_path: Path
) -> None:
    captions(db, settings, store_a, VTT)
    with db.transaction() as s:
        job = jobs.request_index(s, store_a.store_id, store_a.course_id, [store_a.paid_lesson_id])
    runtime = make_runtime(tmp_path / "index")
    try:
        assert jobs.run_job(db, runtime, job.id, objects=make_storage_provider(settings)).status == "completed"
        [hit] = [p for p in Retriever(runtime).search_filtered("plagal cadence subdominant", SearchFilter(store_a.store_id), 5)
                 if p.citation.document_title == "Video: Hear the cadence"]  # fmt: skip
    finally:
        runtime.close()
    assert hit.citation.lesson_id == store_a.paid_lesson_id and hit.citation.start_s is not None


def test_captions_missing_from_the_object_store_leave_the_rest_indexed(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    captions(db, settings, store_a, VTT)
    with db.transaction() as s:
        lost = s.scalars(select(Artifact).where(Artifact.kind == "captions")).one()
        key = lost.object_key
    objects = make_storage_provider(settings)
    objects.delete(key)
    with db.transaction() as s:
        found = course_sources(s, store_a.store_id, store_a.course_id, None, objects)
    assert found and not [x for x in found if ":captions" in x.source_id]
