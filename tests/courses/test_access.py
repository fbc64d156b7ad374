from datetime import timedelta

import pytest

from core.db import Database, utcnow
from core.errors import Forbidden, NotFound
from courses import catalog, enrollments
from tests.conftest import StoreWorld, build_store, principal_of


@pytest.fixture
def unenrolled(db: Database) -> StoreWorld:
    return build_store(db, "gamma", enroll_learner=False)


def test_preview_lesson_is_open_without_enrollment(db: Database, unenrolled: StoreWorld) -> None:
    learner = principal_of(db, unenrolled.learner_email, unenrolled.store_id)
    with db.transaction() as s:
        assert "gamma open" in catalog.read_lesson(s, learner, unenrolled.preview_lesson_id).body_md


def test_paid_lesson_needs_enrollment(db: Database, unenrolled: StoreWorld) -> None:
    learner = principal_of(db, unenrolled.learner_email, unenrolled.store_id)
    with pytest.raises(Forbidden, match="enroll"), db.transaction() as s:
        catalog.read_lesson(s, learner, unenrolled.paid_lesson_id)


def test_enrolled_learner_reads_paid_lesson(db: Database, store_a: StoreWorld) -> None:
    learner = principal_of(db, store_a.learner_email, store_a.store_id)
    with db.transaction() as s:
        assert "alpha secret" in catalog.read_lesson(s, learner, store_a.paid_lesson_id).body_md


def test_drip_lesson_opens_after_its_offset(db: Database, store_a: StoreWorld) -> None:
    learner = principal_of(db, store_a.learner_email, store_a.store_id)
    with pytest.raises(Forbidden, match="unlocks on") as info, db.transaction() as s:
        catalog.read_lesson(s, learner, store_a.drip_lesson_id)
    assert info.value.extra["reason"] == "drip"
    with db.transaction() as s:
        later = utcnow() + timedelta(days=7, minutes=1)
        assert catalog.read_lesson(s, learner, store_a.drip_lesson_id, now=later).title == "Drip"


def test_revoked_enrollment_loses_access(db: Database, store_a: StoreWorld) -> None:
    learner = principal_of(db, store_a.learner_email, store_a.store_id)
    with db.transaction() as s:
        ((enrollment, _),) = enrollments.my_enrollments(s, learner)
        enrollments.revoke_enrollment(s, store_a.owner, enrollment.id)
    with pytest.raises(Forbidden), db.transaction() as s:
        catalog.read_lesson(s, learner, store_a.paid_lesson_id)


def test_draft_lesson_is_invisible_to_learners(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        catalog.update_lesson(s, store_a.owner, store_a.paid_lesson_id, {"status": "draft"})
    learner = principal_of(db, store_a.learner_email, store_a.store_id)
    with db.transaction() as s:
        with pytest.raises(NotFound):
            catalog.read_lesson(s, learner, store_a.paid_lesson_id)
        titles = [v.lesson.title for m in catalog.outline(s, learner, store_a.course_id) for v in m.lessons]
    assert titles == ["Preview", "Drip"]


def test_outline_marks_locked_lessons_with_reasons(db: Database, unenrolled: StoreWorld) -> None:
    learner = principal_of(db, unenrolled.learner_email, unenrolled.store_id)
    with db.transaction() as s:
        views = [v for m in catalog.outline(s, learner, unenrolled.course_id) for v in m.lessons]
    assert [(v.lesson.title, v.access.visible, v.access.reason) for v in views] == [
        ("Preview", True, None),
        ("Paid", False, "not_enrolled"),
        ("Drip", False, "not_enrolled"),
    ]


def test_creator_sees_every_lesson(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        assert catalog.read_lesson(s, store_a.owner, store_a.drip_lesson_id).title == "Drip"
