"""The study-guide agent on the scripted model: draft, check, revise, review, save, resume."""

from __future__ import annotations

from io import BytesIO

import openai
from openai.types.chat import ChatCompletion
from pypdf import PdfReader

from core.db import Database
from core.settings import Settings
from core.storage.factory import make_storage_provider
from courses import artifacts
from tests.agent_fixtures import manager
from tests.agents.study_guides.factories import (
    GOOD,
    GOOD_ENTRY,
    MISPAIRED,
    NEAR_FIELD,
    drafted,
    studio_course,
    verdict,
)
from tests.conftest import StoreWorld, principal_of
from tests.scripted_model import ScriptedChatModel


def start(
    db: Database, settings: Settings, world: StoreWorld, script: list, message: str = "Make a cheat sheet", **course
):
    course_id = studio_course(db, world, **course)
    model = ScriptedChatModel(script=script)
    m = manager(db, settings, None, model)
    thread = m.create_thread(world.owner, "study_guides", course_id)
    run = m.start(world.owner, thread.id, message)
    m.wait(run.id)
    return m, run, model, course_id


def pdf_text(db: Database, settings: Settings, world: StoreWorld, artifact_id: str) -> str:
    with db.transaction() as s:
        data = artifacts.read_artifact(s, world.owner, make_storage_provider(settings), artifact_id).data
    return "\n".join(p.extract_text() for p in PdfReader(BytesIO(data)).pages)


def test_a_mispaired_term_is_revised_then_the_approved_sheet_is_saved(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    script = [drafted(GOOD, MISPAIRED), verdict(True), verdict(True), drafted(GOOD), verdict(True)]
    m, run, model, _ = start(db, settings, store_a, script)
    assert m.get_run(store_a.owner, run.id).status == "interrupted"
    review = next(e for e in m.events.replay(run.id) if e.type == "approval.required")
    assert review.data["arguments"]["claims"] == 1 and review.data["arguments"]["sections"] == ["Foundations"]
    assert "Green cheese" in str(model.calls[3]["messages"][-1].content)  # the revision was told what failed
    m.resume(store_a.owner, run.id, "approve")
    m.wait(run.id)
    events = m.events.replay(run.id)
    artifact = next(e for e in events if e.type == "artifact")
    assert artifact.data["kind"] == "cheat_sheet" and m.get_run(store_a.owner, run.id).status == "completed"
    text = pdf_text(db, settings, store_a, artifact.data["id"])
    assert "Gain staging" in text and "[1]" in text and "Green cheese" not in text
    final = next(e for e in events if e.type == "message.completed").data["text"]
    assert "version 1" in final and artifact.data["url"] in final


def test_a_claim_unsupported_after_the_last_round_is_left_out(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    script = [drafted(GOOD, MISPAIRED), verdict(True), verdict(True), drafted(MISPAIRED), verdict(True)]
    m, run, _, _ = start(db, settings, store_a, script)
    review = next(e for e in m.events.replay(run.id) if e.type == "approval.required")
    assert review.data["arguments"]["claims"] == 1  # the first draft was better, and kept
    assert review.data["arguments"]["left_out"] == 1
    assert review.data["arguments"]["document"]["sections"][0]["blocks"] == [GOOD_ENTRY]


def test_the_models_verdict_flags_a_term_its_sentence_names(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    script = [drafted(GOOD, NEAR_FIELD), verdict(True), verdict(False), drafted(GOOD), verdict(True)]
    m, run, _, _ = start(db, settings, store_a, script)
    review = next(e for e in m.events.replay(run.id) if e.type == "approval.required")
    assert review.data["arguments"]["document"]["sections"][0]["blocks"] == [GOOD_ENTRY]


def test_an_entry_is_its_lessons_sentence_citing_that_lesson(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    point = {"type": "point", "sentence": "S3"}
    m, run, model, _ = start(
        db, settings, store_a, [drafted(GOOD, point, {"type": "point", "sentence": "S9"}), verdict(True)]
    )
    review = next(e for e in m.events.replay(run.id) if e.type == "approval.required")
    blocks = review.data["arguments"]["document"]["sections"][0]["blocks"]
    near = "Near-field monitors are small speakers placed close to the listener."
    assert blocks == [GOOD_ENTRY, {"type": "point", "text": near, "cites": [2]}]  # S9 is no sentence: dropped
    assert "S3: " + near in str(model.calls[0]["messages"][-1].content)


def test_reject_discards_the_draft(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    m, run, _, course_id = start(db, settings, store_a, [drafted(GOOD), verdict(True)])
    m.resume(store_a.owner, run.id, "reject")
    m.wait(run.id)
    assert "nothing was saved" in next(e for e in m.events.replay(run.id) if e.type == "message.completed").data["text"]
    with db.transaction() as s:
        assert artifacts.list_artifacts(s, store_a.owner, course_id) == []


def test_edit_saves_the_creators_version(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    m, run, _, _ = start(db, settings, store_a, [drafted(GOOD), verdict(True)])
    document = next(e for e in m.events.replay(run.id) if e.type == "approval.required").data["arguments"]["document"]
    document["sections"][0]["blocks"][0]["definition"] = "Levels set stage by stage, so nothing clips."
    m.resume(store_a.owner, run.id, "edit", {"document": document})
    m.wait(run.id)
    artifact = next(e for e in m.events.replay(run.id) if e.type == "artifact")
    assert "Levels set stage by stage" in pdf_text(db, settings, store_a, artifact.data["id"])


def test_an_invalid_edit_says_what_is_wrong_and_saves_nothing(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    m, run, _, course_id = start(db, settings, store_a, [drafted(GOOD), verdict(True)])
    document = next(e for e in m.events.replay(run.id) if e.type == "approval.required").data["arguments"]["document"]
    document["sections"][0]["blocks"][0]["cites"] = [9]
    m.resume(store_a.owner, run.id, "edit", {"document": document})
    m.wait(run.id)
    final = next(e for e in m.events.replay(run.id) if e.type == "message.completed").data["text"]
    assert "not valid" in final and "nothing was saved" in final
    with db.transaction() as s:
        assert artifacts.list_artifacts(s, store_a.owner, course_id) == []


def test_a_reference_guide_is_asked_for_by_name(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    m, run, model, _ = start(db, settings, store_a, [drafted(GOOD), verdict(True)], "Write a reference guide")
    review = next(e for e in m.events.replay(run.id) if e.type == "approval.required")
    assert review.data["arguments"]["kind"] == "reference_guide"
    assert "belong on the reference guide" in str(model.calls[0]["messages"][-1].content)


def test_the_review_survives_a_restart(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    m, run, _, _ = start(db, settings, store_a, [drafted(GOOD), verdict(True)])
    m.shutdown(0)
    again = manager(db, settings, None, ScriptedChatModel(script=[]))
    again.resume(store_a.owner, run.id, "approve")
    again.wait(run.id)
    assert any(e.type == "artifact" for e in again.events.replay(run.id))


def test_a_thread_without_a_course_is_asked_for_one(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    m = manager(db, settings, None, ScriptedChatModel(script=[]))
    thread = m.create_thread(store_a.owner, "study_guides", None)
    run = m.start(store_a.owner, thread.id, "Make a cheat sheet")
    m.wait(run.id)
    final = next(e for e in m.events.replay(run.id) if e.type == "message.completed").data["text"]
    assert final.startswith("Choose a course first")


def test_learners_are_not_offered_the_agent(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    from agents.installed import installed

    learner = principal_of(db, store_a.learner_email, store_a.store_id)
    assert "study_guides" not in [d.name for d in installed().for_principal(learner)]
    assert "study_guides" in [d.name for d in installed().for_principal(store_a.owner)]


def test_a_reply_cut_at_the_token_limit_loses_only_its_section(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    """Regression: a draft that hit max_tokens raised LengthFinishReasonError and failed the whole run."""
    completion = ChatCompletion.model_construct(
        id="c", choices=[], created=0, model="scripted", object="chat.completion"
    )
    cut = openai.LengthFinishReasonError(completion=completion)
    m, run, _, _ = start(db, settings, store_a, [cut])
    events = m.events.replay(run.id)
    assert m.get_run(store_a.owner, run.id).status == "completed"
    assert any("Could not draft section 1 of 1" in e.data.get("text", "") for e in events if e.type == "message.delta")
    assert "nothing was saved" in next(e for e in events if e.type == "message.completed").data["text"]


def test_a_lesson_title_longer_than_a_source_title_still_makes_a_draft(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    """Regression: lesson titles may be 300 characters, a document's source title 200."""
    m, run, _, _ = start(db, settings, store_a, [drafted(GOOD), verdict(True)], gain_title="Gain " * 60)
    review = next(e for e in m.events.replay(run.id) if e.type == "approval.required")
    assert len(review.data["arguments"]["document"]["sources"][0]["title"]) == 200
