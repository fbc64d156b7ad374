"""The course builder's outline on the scripted model: draft, rubric redraft, review (approve, edit,
ask for changes, discard), bad briefs, and the review surviving a restart."""

from __future__ import annotations

import json

from sqlalchemy import select

from core.db import Database
from core.settings import Settings
from courses.models import Course
from tests.agent_fixtures import manager
from tests.agents.course_builder.factories import LESSON, outline_reply, start
from tests.conftest import StoreWorld
from tests.scripted_model import ScriptedChatModel


def _titles(db: Database, store_id: str) -> list[str]:
    with db.transaction() as s:
        return list(s.scalars(select(Course.title).where(Course.store_id == store_id)))


def test_the_outline_waits_for_review_and_nothing_is_created_before(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    run = start(db, settings, store_a, [outline_reply()])
    assert run.status(store_a) == "interrupted"
    card = run.card()
    assert card["name"] == "create_course_from_outline" and card["arguments"]["problems"] == []
    assert [m["title"] for m in card["arguments"]["outline"]["modules"]] == ["Module 1", "Module 2"]
    assert "Mixing vocals" not in _titles(db, store_a.store_id)
    schema = run.model.calls[0]["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["modules"]["minItems"] == schema["properties"]["modules"]["maxItems"] == 2


def test_an_outline_that_misses_the_asked_length_is_redrafted_and_the_better_kept(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    run = start(db, settings, store_a, [outline_reply(2, 1), outline_reply(2, 2)])
    assert len(run.model.calls) == 2
    assert "has 1 lesson(s), not 2" in str(run.model.calls[1]["messages"][-1].content)
    assert run.card()["arguments"]["problems"] == []


def test_asking_for_changes_redrafts_with_the_feedback(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    run = start(db, settings, store_a, [outline_reply(), outline_reply(title="Vocal mixing for podcasters")])
    run.resume(store_a, "revise", feedback="aim it at podcasters")
    prompt = str(run.model.calls[1]["messages"][-1].content)
    assert "aim it at podcasters" in prompt and '"Module 1"' in prompt  # the last outline and the ask
    assert run.status(store_a) == "interrupted"
    assert run.card()["arguments"]["outline"]["title"] == "Vocal mixing for podcasters"


def test_discarding_the_outline_creates_nothing(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    run = start(db, settings, store_a, [outline_reply()])
    run.resume(store_a, "reject")
    assert "nothing was created" in run.answer() and "Mixing vocals" not in _titles(db, store_a.store_id)


def test_an_edit_that_breaks_the_outline_is_shown_again_with_the_problem(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    run = start(db, settings, store_a, [outline_reply()])
    broken = run.card()["arguments"]["outline"] | {"modules": []}
    run.resume(store_a, "edit", {"outline": broken})
    assert run.status(store_a) == "interrupted"
    assert "your edit broke the outline: modules" in run.card()["arguments"]["problems"][0]
    assert "Mixing vocals" not in _titles(db, store_a.store_id)


def test_an_edited_outline_is_the_one_created(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    run = start(db, settings, store_a, [outline_reply(), LESSON])
    edited = run.card()["arguments"]["outline"]
    edited["title"] = "Vocals, start to finish"
    edited["modules"] = edited["modules"][:1]
    edited["modules"][0]["lessons"] = edited["modules"][0]["lessons"][:1]
    run.resume(store_a, "edit", {"outline": edited})
    assert run.card()["name"] == "publish_course" and run.card()["arguments"]["lessons"] == 1
    assert "Vocals, start to finish" in _titles(db, store_a.store_id)


def test_an_empty_or_too_long_brief_gets_a_clear_message_and_no_model_call(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    short = start(db, settings, store_a, [], message="vocals")
    assert short.answer().startswith("Tell me what the course is about") and short.model.calls == []
    long = start(db, settings, store_a, [], message="mixing " * 700)
    assert "keep it under 4,000" in long.answer() and long.model.calls == []


def test_an_outline_the_model_cannot_form_is_said_plainly(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    run = start(db, settings, store_a, ["not json", json.dumps({"title": "x"})])
    assert run.answer().startswith("I could not draft a valid outline") and run.status(store_a) == "completed"


def test_the_outline_review_survives_a_restart(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    run = start(db, settings, store_a, [outline_reply()])
    run.manager.shutdown(0)
    again = manager(db, settings, None, ScriptedChatModel(script=[LESSON] * 4))
    again.resume(store_a.owner, run.run_id, "approve")
    again.wait(run.run_id)
    assert [e.data["name"] for e in again.events.replay(run.run_id) if e.type == "approval.required"][
        -1
    ] == "publish_course"
    assert "Mixing vocals" in _titles(db, store_a.store_id)


def test_what_the_creator_changed_in_an_accepted_outline_guides_the_next_one(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    long_titles = outline_reply(1, 2).replace("Lesson 1.1", "A very long title for the first vocal lesson here")
    long_titles = long_titles.replace("Lesson 1.2", "A very long title for the second vocal lesson here")
    run = start(db, settings, store_a, [long_titles, LESSON, LESSON], message="Vocals, 1 module of 2 lessons")
    edited = run.card()["arguments"]["outline"]
    edited["modules"][0]["lessons"][0]["title"] = "Vocal EQ"
    edited["modules"][0]["lessons"][1]["title"] = "Vocal reverb"
    run.resume(store_a, "edit", {"outline": edited})
    again = start(
        db, settings, store_a, [outline_reply(title="Drums")], message="A course on drums, 1 module of 2 lessons"
    )
    prompt = str(again.model.calls[0]["messages"][-1].content)
    assert "style notes" in prompt and "Short lesson titles, about 2 words." in prompt
