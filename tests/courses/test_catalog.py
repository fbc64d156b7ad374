import pytest

from core.db import Database
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from courses import catalog
from tests.conftest import StoreWorld, principal_of


def test_course_slug_is_unique_per_store(db: Database, store_a: StoreWorld, store_b: StoreWorld) -> None:
    with db.transaction() as s, pytest.raises(Conflict, match="already exists"):
        catalog.create_course(s, store_a.owner, slug="main", title="Again")
    with db.transaction() as s:  # another store may use the same slug
        assert catalog.create_course(s, store_b.owner, slug="second", title="B").slug == "second"


def test_publishing_needs_a_published_lesson(db: Database, store_a: StoreWorld) -> None:
    with pytest.raises(Conflict, match="published lesson"), db.transaction() as s:
        catalog.publish_course(s, store_a.owner, store_a.draft_course_id)


def test_publish_sets_published_at_and_unpublish_reverts(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        module = catalog.create_module(s, store_a.owner, store_a.draft_course_id, "M")
        catalog.create_lesson(s, store_a.owner, module.id, title="L")
        course = catalog.publish_course(s, store_a.owner, store_a.draft_course_id)
        assert course.status == "published" and course.published_at is not None
        assert catalog.publish_course(s, store_a.owner, course.id, False).status == "draft"


def test_modules_and_lessons_append_in_order(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        second = catalog.create_module(s, store_a.owner, store_a.course_id, "Second")
        modules = catalog.list_modules(s, store_a.owner, store_a.course_id)
        lessons = catalog.list_lessons(s, store_a.owner, store_a.module_id)
    assert [m.title for m in modules] == ["Module one", "Second"]
    assert modules[-1].id == second.id
    assert [x.title for x in lessons] == ["Preview", "Paid", "Drip"]


def test_reorder_lessons(db: Database, store_a: StoreWorld) -> None:
    order = [store_a.drip_lesson_id, store_a.preview_lesson_id, store_a.paid_lesson_id]
    with db.transaction() as s:
        catalog.reorder_lessons(s, store_a.owner, store_a.module_id, order)
    with db.transaction() as s:
        assert [x.id for x in catalog.list_lessons(s, store_a.owner, store_a.module_id)] == order


@pytest.mark.parametrize("bad", ["missing-one", "duplicate", "foreign"])
def test_reorder_must_name_every_child_once(db: Database, store_a: StoreWorld, bad: str) -> None:
    ids = {
        "missing-one": [store_a.preview_lesson_id, store_a.paid_lesson_id],
        "duplicate": [store_a.preview_lesson_id, store_a.paid_lesson_id, store_a.paid_lesson_id],
        "foreign": [store_a.preview_lesson_id, store_a.paid_lesson_id, "lsn_other"],
    }[bad]
    with pytest.raises(ValidationFailed, match="ids"), db.transaction() as s:
        catalog.reorder_lessons(s, store_a.owner, store_a.module_id, ids)


def test_lesson_moves_only_within_its_course(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        other = catalog.create_module(s, store_a.owner, store_a.draft_course_id, "Elsewhere")
        with pytest.raises(ValidationFailed, match="module_id"):
            catalog.update_lesson(s, store_a.owner, store_a.paid_lesson_id, {"module_id": other.id})
        target = catalog.create_module(s, store_a.owner, store_a.course_id, "Target")
        moved = catalog.update_lesson(s, store_a.owner, store_a.paid_lesson_id, {"module_id": target.id})
        assert moved.module_id == target.id and moved.position == 0


def test_drip_days_are_bounded(db: Database, store_a: StoreWorld) -> None:
    with pytest.raises(ValidationFailed, match="drip_days"), db.transaction() as s:
        catalog.create_lesson(s, store_a.owner, store_a.module_id, title="x", drip_days=-1)


def test_learner_sees_only_published_courses(db: Database, store_a: StoreWorld) -> None:
    learner = principal_of(db, store_a.learner_email, store_a.store_id)
    with db.transaction() as s:
        page = catalog.list_courses(s, learner, None, 50)
        assert [c.id for c in page.items] == [store_a.course_id]
        with pytest.raises(NotFound):
            catalog.readable_course(s, learner, store_a.draft_course_id)


def test_learner_cannot_write(db: Database, store_a: StoreWorld) -> None:
    learner = principal_of(db, store_a.learner_email, store_a.store_id)
    with pytest.raises(Forbidden, match="courses:write"), db.transaction() as s:
        catalog.create_course(s, learner, slug="mine", title="Mine")


def test_course_list_pages_with_cursor(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        for i in range(5):
            catalog.create_course(s, store_a.owner, slug=f"c{i}", title=f"C{i}")
    seen: list[str] = []
    cursor = None
    with db.transaction() as s:
        while True:
            page = catalog.list_courses(s, store_a.owner, cursor, 3)
            seen += [c.id for c in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
    assert len(seen) == 7 and seen == sorted(seen)


def test_deleting_a_course_removes_its_lessons(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        catalog.delete_course(s, store_a.owner, store_a.course_id)
    with db.transaction() as s, pytest.raises(NotFound):
        catalog.read_lesson(s, store_a.owner, store_a.paid_lesson_id)


def test_editing_status_to_published_obeys_the_publish_rule(db: Database, store_a: StoreWorld) -> None:
    with pytest.raises(Conflict, match="published lesson"), db.transaction() as s:
        catalog.update_course(s, store_a.owner, store_a.draft_course_id, {"status": "published"})


def test_learners_never_see_draft_lessons_in_a_module(db: Database, store_a: StoreWorld) -> None:
    with db.transaction() as s:
        catalog.create_lesson(s, store_a.owner, store_a.module_id, title="Secret draft", status="draft")
    learner = principal_of(db, store_a.learner_email, store_a.store_id)
    with db.transaction() as s:
        titles = [lesson.title for lesson in catalog.list_lessons(s, learner, store_a.module_id)]
        creator_titles = [lesson.title for lesson in catalog.list_lessons(s, store_a.owner, store_a.module_id)]
    assert "Secret draft" not in titles and "Secret draft" in creator_titles
