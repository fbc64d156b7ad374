"""Changing an existing lesson on request: find the lesson and section, rewrite, review, save."""

from __future__ import annotations

from core.db import Database
from core.settings import Settings
from courses import catalog
from courses.models import Lesson
from tests.agents.course_builder.factories import start
from tests.conftest import StoreWorld

BODY = "## Ratios\n\nA ratio of 4:1 lowers loud parts.\n\n## Attack\n\nA slow attack lets transients through.\n"


def _lesson(db: Database, world: StoreWorld, body: str = BODY) -> tuple[str, str]:
    with db.transaction() as s:
        course = catalog.create_course(s, world.owner, slug="dynamics", title="Dynamics")
        module = catalog.create_module(s, world.owner, course.id, "Compression")
        lesson = catalog.create_lesson(s, world.owner, module.id, title="Compressor basics", body_md=body)
        return course.id, lesson.id


def _body(db: Database, lesson_id: str) -> str:
    with db.transaction() as s:
        lesson = s.get(Lesson, lesson_id)
        assert lesson is not None
        return lesson.body_md


def test_a_named_section_is_rewritten_and_saved_on_approval(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    course_id, lesson_id = _lesson(db, store_a)
    rewritten = "## Ratios\n\nThe ratio says how much quieter loud parts get: at 4:1, much quieter."
    ask = 'Rewrite the section on ratios in "Compressor basics" for beginners'
    run = start(db, settings, store_a, [rewritten], message=ask, course_id=course_id)
    card = run.card()["arguments"]
    assert run.card()["name"] == "update_lesson" and card["section"] == "Ratios"
    assert card["before"].startswith("## Ratios") and "Attack" not in card["before"]
    run.resume(store_a, "approve")
    body = _body(db, lesson_id)
    assert "much quieter" in body and "A slow attack lets transients through." in body and "4:1 lowers" not in body
    assert run.answer().startswith("Updated the section “Ratios” of “Compressor basics”")


def test_asking_for_changes_rewrites_again_with_the_feedback(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    course_id, lesson_id = _lesson(db, store_a)
    run = start(db, settings, store_a, ["Longer text.", "Longer, warmer text."], "Expand compressor basics", course_id)
    run.resume(store_a, "revise", feedback="warmer, please")
    assert "warmer, please" in str(run.model.calls[1]["messages"][-1].content)
    assert run.card()["arguments"]["after"].startswith("Longer, warmer")
    run.resume(store_a, "reject")
    assert _body(db, lesson_id) == BODY and "as it was" in run.answer()


def test_the_creators_own_edit_is_what_is_saved(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    course_id, lesson_id = _lesson(db, store_a)
    run = start(db, settings, store_a, ["Model text."], "Expand compressor basics", course_id)
    run.resume(store_a, "edit", {"after": "My own words."})
    assert _body(db, lesson_id).strip() == "My own words."


def test_a_request_naming_no_lesson_is_asked_which(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    course_id, _ = _lesson(db, store_a)
    run = start(db, settings, store_a, [], "Expand the lesson on reverb tails", course_id)
    assert run.answer().startswith("Which lesson of Dynamics?") and "“Compressor basics”" in run.answer()
    assert run.model.calls == []


def test_a_lesson_too_long_to_rewrite_at_once_asks_for_a_section(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    course_id, _ = _lesson(db, store_a, body=BODY + "\n## Release\n\n" + "Let it breathe. " * 300)
    run = start(db, settings, store_a, [], "Rewrite compressor basics for beginners", course_id)
    assert "too long to rewrite in one go" in run.answer() and "“Release”" in run.answer()


def test_a_rewrite_follows_the_creators_lesson_style_notes(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    from courses import style

    course_id, _ = _lesson(db, store_a)
    with db.transaction() as s:
        style.remember(s, store_a.owner, "lesson", ["Use bullet lists for steps and key points."])
    run = start(db, settings, store_a, ["Rewritten."], "Expand compressor basics", course_id)
    prompt = str(run.model.calls[0]["messages"][-1].content)
    assert "style notes (follow them): Use bullet lists for steps and key points." in prompt
