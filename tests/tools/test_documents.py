"""Document tools: a study document becomes a PDF artifact of its course, only from its own lessons."""

from io import BytesIO

import pytest
from pypdf import PdfReader

from core.db import Database
from core.errors import ValidationFailed
from core.settings import Settings
from core.storage.factory import make_storage_provider
from courses import artifacts
from media.documents.model import Point, Source
from tests.conftest import StoreWorld, principal_of
from tests.media.documents.factories import document, section
from tools.base import ToolContext
from tools.registry import build_registry


def ctx(db: Database, settings: Settings, principal) -> ToolContext:
    return ToolContext(db=db, principal=principal, settings=settings, run_id="run_test")


def sheet(world: StoreWorld, text: str = "Paid lessons hold the secret.") -> dict:
    doc = document(
        sections=[section(blocks=[Point(text=text, cites=[1])])],
        sources=[Source(n=1, lesson_id=world.paid_lesson_id, title="Paid")],
    )
    return {"course_id": world.course_id, "document": doc.model_dump(mode="json")}


def test_saved_document_is_a_pdf_of_the_course(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    saved = build_registry().invoke("save_study_document", ctx(db, settings, store_a.owner), sheet(store_a))
    assert (saved["kind"], saved["version"], saved["current"]) == ("cheat_sheet", 1, True)
    with db.transaction() as s:
        file = artifacts.read_artifact(s, store_a.owner, make_storage_provider(settings), saved["artifact_id"])
    assert file.artifact.run_id == "run_test"
    assert "Paid lessons hold the secret. [1]" in PdfReader(BytesIO(file.data)).pages[0].extract_text()


def test_saving_the_same_document_again_is_the_same_version(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    reg, c = build_registry(), ctx(db, settings, store_a.owner)
    first = reg.invoke("save_study_document", c, sheet(store_a))
    again = reg.invoke("save_study_document", c, sheet(store_a))
    changed = reg.invoke("save_study_document", c, sheet(store_a, "Another claim."))
    assert again["artifact_id"] == first["artifact_id"] and changed["version"] == 2


def test_a_source_from_another_course_is_refused(
    db: Database, settings: Settings, store_a: StoreWorld, store_b: StoreWorld
) -> None:
    args = sheet(store_a)
    args["document"]["sources"][0]["lesson_id"] = store_b.paid_lesson_id
    with pytest.raises(ValidationFailed, match="not lessons of this course"):
        build_registry().invoke("save_study_document", ctx(db, settings, store_a.owner), args)


def test_preview_stores_no_file(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    out = build_registry().invoke(
        "save_study_document", ctx(db, settings, store_a.owner), sheet(store_a) | {"preview": True}
    )
    assert out["changes"]["sections"] == 1
    assert not (settings.data_dir / "objects").exists()


def test_listed_artifacts_say_when_the_course_changed(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    reg, c = build_registry(), ctx(db, settings, store_a.owner)
    reg.invoke("save_study_document", c, sheet(store_a))
    assert reg.invoke("list_artifacts", c, {"course_id": store_a.course_id})["artifacts"][0]["current"] is True
    reg.invoke("update_lesson", c, {"lesson_id": store_a.paid_lesson_id, "body_md": "# Paid\nrewritten"})
    assert reg.invoke("list_artifacts", c, {"course_id": store_a.course_id})["artifacts"][0]["current"] is False


def test_a_learner_cannot_save_one(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    learner = principal_of(db, store_a.learner_email, store_a.store_id)
    result = build_registry().call("save_study_document", ctx(db, settings, learner), sheet(store_a))
    assert not result.ok and result.error["status"] == 403
