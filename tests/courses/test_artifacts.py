"""Artifacts: versions, idempotent regeneration, bad input, and who may open one."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.db import Database
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.principal import Principal
from core.storage.folder import FolderStorageProvider
from courses import artifacts, enrollments
from courses.models import Artifact
from tests.conftest import StoreWorld, build_store, principal_of

PDF = "application/pdf"


@pytest.fixture
def objects(tmp_path: Path) -> FolderStorageProvider:
    return FolderStorageProvider(tmp_path / "objects")


def make_artifact(
    db: Database,
    world: StoreWorld,
    objects: FolderStorageProvider,
    data: bytes = b"%PDF v1",
    kind: str = "cheat_sheet",
    *,
    by: Principal | None = None,
    course_id: str | None = None,
) -> Artifact:
    """An artifact saved by the store's owner (or `by`) on its published course (or `course_id`)."""
    with db.transaction() as s:
        return artifacts.save_artifact(
            s,
            by or world.owner,
            objects,
            course_id=course_id or world.course_id,
            kind=kind,
            title="Cheat sheet",
            data=data,
            content_type=PDF,
        )


def test_versions_count_up_per_course_and_kind(
    db: Database, store_a: StoreWorld, objects: FolderStorageProvider
) -> None:
    first = make_artifact(db, store_a, objects, b"%PDF one")
    second = make_artifact(db, store_a, objects, b"%PDF two")
    guide = make_artifact(db, store_a, objects, b"%PDF guide", kind="reference_guide")
    assert (first.version, second.version, guide.version) == (1, 2, 1)
    assert objects.get(first.object_key) == b"%PDF one"  # the old version is kept


def test_the_same_bytes_again_are_the_same_version(
    db: Database, store_a: StoreWorld, objects: FolderStorageProvider
) -> None:
    first = make_artifact(db, store_a, objects)
    again = make_artifact(db, store_a, objects)
    assert again.id == first.id and again.version == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "poster"}, "kind"),
        ({"content_type": "text/html"}, "content_type"),
        ({"title": "  "}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"data": b""}, "data"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(
    db: Database, store_a: StoreWorld, objects: FolderStorageProvider, changes: dict[str, object], field: str
) -> None:
    arguments: dict[str, object] = {
        "course_id": store_a.course_id,
        "kind": "cheat_sheet",
        "title": "Sheet",
        "data": b"%PDF",
        "content_type": PDF,
    } | changes
    with pytest.raises(ValidationFailed) as info, db.transaction() as s:
        artifacts.save_artifact(s, store_a.owner, objects, **arguments)
    assert info.value.errors[0].field == field
    assert not (objects.root).exists()


def test_another_stores_course_cannot_hold_an_artifact(
    db: Database, store_a: StoreWorld, store_b: StoreWorld, objects: FolderStorageProvider
) -> None:
    with pytest.raises(NotFound):
        make_artifact(db, store_a, objects, course_id=store_b.course_id)


def test_a_learner_cannot_save_one(db: Database, store_a: StoreWorld, objects: FolderStorageProvider) -> None:
    learner = principal_of(db, store_a.learner_email, store_a.store_id)
    with pytest.raises(Forbidden):
        make_artifact(db, store_a, objects, by=learner)


def test_a_save_racing_another_is_a_conflict_and_leaves_no_file(
    db: Database, store_a: StoreWorld, objects: FolderStorageProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_artifact(db, store_a, objects, b"%PDF one")
    monkeypatch.setattr(artifacts, "_latest", lambda *args: None)  # as if the other save had not committed yet
    with pytest.raises(Conflict, match="same moment"):
        make_artifact(db, store_a, objects, b"%PDF two")
    assert len(list(objects.root.rglob("*.pdf"))) == 1


def test_enrolled_learner_opens_the_latest_version_only(
    db: Database, store_a: StoreWorld, objects: FolderStorageProvider
) -> None:
    old = make_artifact(db, store_a, objects, b"%PDF old")
    new = make_artifact(db, store_a, objects, b"%PDF new")
    learner = principal_of(db, store_a.learner_email, store_a.store_id)
    with db.transaction() as s:
        assert artifacts.read_artifact(s, learner, objects, new.id).data == b"%PDF new"
        assert [a.id for a in artifacts.list_artifacts(s, learner, store_a.course_id)] == [new.id]
        with pytest.raises(NotFound):
            artifacts.get_artifact(s, learner, old.id)
    with db.transaction() as s:
        assert [a.id for a in artifacts.list_artifacts(s, store_a.owner, store_a.course_id)] == [new.id, old.id]


def test_learner_without_enrollment_or_on_a_draft_course_sees_nothing(
    db: Database, objects: FolderStorageProvider
) -> None:
    world = build_store(db, "gamma", enroll_learner=False)
    sheet = make_artifact(db, world, objects)
    draft = make_artifact(db, world, objects, course_id=world.draft_course_id)
    learner = principal_of(db, world.learner_email, world.store_id)
    with db.transaction() as s:
        assert artifacts.list_artifacts(s, learner) == []
        with pytest.raises(NotFound):
            artifacts.get_artifact(s, learner, sheet.id)
    with db.transaction() as s:
        enrollments.grant_enrollment(s, world.owner, world.draft_course_id, world.learner_email)
    with pytest.raises(NotFound), db.transaction() as s:
        artifacts.get_artifact(s, learner, draft.id)


def test_another_stores_people_never_see_it(
    db: Database, store_a: StoreWorld, store_b: StoreWorld, objects: FolderStorageProvider
) -> None:
    sheet = make_artifact(db, store_a, objects)
    with db.transaction() as s:
        assert artifacts.list_artifacts(s, store_b.owner) == []
        with pytest.raises(NotFound):
            artifacts.get_artifact(s, store_b.owner, sheet.id)


@pytest.mark.parametrize("kind", ["course_outline", "social_posts", "video"])
def test_a_learner_never_gets_the_creators_drafts(
    db: Database, store_a: StoreWorld, objects: FolderStorageProvider, kind: str
) -> None:
    draft = make_artifact(db, store_a, objects, b"%PDF draft", kind=kind)  # a course's, not a lesson's
    sheet = make_artifact(db, store_a, objects, b"%PDF sheet")
    learner = principal_of(db, store_a.learner_email, store_a.store_id)
    with db.transaction() as s:
        assert [a.id for a in artifacts.list_artifacts(s, learner, store_a.course_id)] == [sheet.id]
        assert artifacts.list_artifacts(s, learner, kind=kind) == []
        with pytest.raises(NotFound):
            artifacts.get_artifact(s, learner, draft.id)
        assert artifacts.get_artifact(s, store_a.owner, draft.id).id == draft.id
