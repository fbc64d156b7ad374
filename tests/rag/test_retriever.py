"""The retriever applies the reader's access in the index query: a learner of one store never
retrieves another's content, an unenrolled learner sees previews only, drip-locked lessons stay out."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from core.db import Database, utcnow
from courses import catalog
from courses.models import Enrollment
from ingestion.pipeline import Ingestor
from ingestion.sources import course_sources
from rag.index import Hit
from rag.retriever import Retriever, merge_adjacent
from tests.conftest import StoreWorld, build_store, principal_of


def index_store(db: Database, runtime, world: StoreWorld) -> None:
    with db.transaction() as s:
        sources = course_sources(s, world.store_id, world.course_id)
    Ingestor(runtime).sync_course(world.store_id, world.course_id, sources, complete=True)


@pytest.fixture
def indexed(db: Database, runtime, store_a: StoreWorld, store_b: StoreWorld):
    for world in (store_a, store_b):
        index_store(db, runtime, world)
    return Retriever(runtime)


def lessons_found(passages) -> set[str]:
    return {p.citation.lesson_id for p in passages}


def test_learner_never_retrieves_another_store(db: Database, indexed, store_a: StoreWorld, store_b: StoreWorld) -> None:
    learner_a = principal_of(db, store_a.learner_email, store_a.store_id)
    with db.transaction() as s:
        passages = indexed.search(s, learner_a, "beta secret", limit=10)
        foreign = indexed.search(s, learner_a, "secret", course_id=store_b.course_id, limit=10)
    assert passages and all(p.citation.course_id == store_a.course_id for p in passages)
    assert foreign == []


def test_creator_never_retrieves_another_store(db: Database, indexed, store_a: StoreWorld, store_b: StoreWorld) -> None:
    with db.transaction() as s:
        passages = indexed.search(s, store_b.owner, "alpha secret", limit=10)
    assert passages and {p.citation.course_id for p in passages} == {store_b.course_id}


def test_unenrolled_learner_gets_previews_only(db: Database, runtime) -> None:
    world = build_store(db, "gamma", enroll_learner=False)
    index_store(db, runtime, world)
    learner = principal_of(db, world.learner_email, world.store_id)
    with db.transaction() as s:
        passages = Retriever(runtime).search(s, learner, "gamma secret open later", limit=10)
    assert lessons_found(passages) == {world.preview_lesson_id}


def test_drip_locked_lesson_stays_out_until_it_opens(db: Database, indexed, store_a: StoreWorld) -> None:
    learner = principal_of(db, store_a.learner_email, store_a.store_id)
    with db.transaction() as s:
        now = indexed.search(s, learner, "Drip later", limit=10)
    assert store_a.drip_lesson_id not in lessons_found(now)
    with db.transaction() as s:
        s.execute(update(Enrollment).values(granted_at=utcnow() - timedelta(days=8)))
    with db.transaction() as s:
        later = indexed.search(s, learner, "Drip later", limit=10)
    assert store_a.drip_lesson_id in lessons_found(later)


def test_creator_sees_every_lesson_of_the_store(db: Database, indexed, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        passages = indexed.search(s, store_a.owner, "Preview Paid Drip", limit=10)
    assert lessons_found(passages) == {store_a.preview_lesson_id, store_a.paid_lesson_id, store_a.drip_lesson_id}


def test_unpublished_course_is_invisible_to_learners(db: Database, indexed, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        catalog.publish_course(s, store_a.owner, store_a.course_id, False)
    learner = principal_of(db, store_a.learner_email, store_a.store_id)
    with db.transaction() as s:
        assert indexed.search(s, learner, "alpha", limit=10) == []


def test_citation_links_to_the_lesson_heading(db: Database, indexed, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        (passage,) = indexed.search(s, store_a.owner, "alpha secret", limit=1)
    c = passage.citation
    assert c.lesson_title == "Paid" and c.heading == "Paid" and c.course_slug == "main"
    assert c.url == f"/courses/main/lessons/{store_a.paid_lesson_id}#paid"


def _hit(source: str, position: int, score: float, text: str) -> Hit:
    payload = {
        "source_id": source,
        "position": position,
        "text": text,
        "course_id": "c",
        "course_slug": "s",
        "lesson_id": source,
        "lesson_title": "T",
        "heading_path": ["T", f"H{position}"],
        "anchor": f"h{position}",
    }
    return Hit(f"{source}-{position}", score, payload)


def test_adjacent_hits_merge_into_one_passage_in_reading_order() -> None:
    passages = merge_adjacent(
        [_hit("l1", 3, 0.9, "c"), _hit("l1", 2, 0.5, "b"), _hit("l1", 7, 0.4, "x"), _hit("l2", 3, 0.8, "y")]
    )
    assert [(p.source_id, p.positions, p.text, p.score) for p in passages] == [
        ("l1", [2, 3], "b\n\nc", 0.9),
        ("l2", [3], "y", 0.8),
        ("l1", [7], "x", 0.4),
    ]
    assert passages[0].citation.anchor == "h3"  # the heading of the best chunk, where the answer is
