"""The course assistant on the constrained (local-model) path: a content question is searched with
no decision call; a question about the learner's own progress goes to the model's decision."""

from __future__ import annotations

import json
from typing import Any

from core.db import Database
from core.settings import Settings
from tests.agent_fixtures import manager
from tests.agents.test_runs import run_to_end
from tests.conftest import principal_of
from tests.scripted_model import ScriptedChatModel


def test_a_content_question_is_answered_in_one_model_call(db: Database, settings: Settings, world: Any) -> None:
    store, runtime = world
    learner = principal_of(db, store.learner_email, store.store_id)
    model = ScriptedChatModel(script=["The recipe is alpha [1]."])
    m = manager(db, settings, runtime, model, native=False)
    thread = m.create_thread(learner, "course_assistant", store.course_id)
    run, events = run_to_end(m, learner, thread.id, "What is the secret recipe?")
    assert run.status == "completed" and len(model.calls) == 1
    assert "response_format" not in model.calls[0]  # the answer call, not a next-action decision
    call = next(e.data for e in events if e.type == "tool.call")
    assert call["name"] == "search_course_content" and call["arguments"]["course_id"] == store.course_id
    assert any(e.type == "citation" for e in events)


def test_a_progress_question_goes_to_the_decision(db: Database, settings: Settings, world: Any) -> None:
    store, runtime = world
    learner = principal_of(db, store.learner_email, store.store_id)
    decision = json.dumps({"action": "get_my_progress", "arguments": {"course_id": store.course_id}})
    model = ScriptedChatModel(script=[decision, "You have done 0 of 3 lessons."])
    m = manager(db, settings, runtime, model, native=False)
    thread = m.create_thread(learner, "course_assistant", store.course_id)
    run, events = run_to_end(m, learner, thread.id, "How far am I in this course?")
    assert run.status == "completed"
    assert model.calls[0]["response_format"]["json_schema"]["name"] == "next_action"
    assert [e.data["name"] for e in events if e.type == "tool.call"] == ["get_my_progress"]


def _logged(db: Database) -> list[tuple[str, bool, int]]:
    from sqlalchemy import select

    from courses.models import CourseQuestion

    with db.transaction() as s:
        return [(q.question, q.answered, q.passages) for q in s.scalars(select(CourseQuestion))]


def test_a_learners_turn_is_logged_answered_when_it_cites(db: Database, settings: Settings, world: Any) -> None:
    store, runtime = world
    learner = principal_of(db, store.learner_email, store.store_id)
    m = manager(db, settings, runtime, ScriptedChatModel(script=["The recipe is alpha [1]."]), native=False)
    thread = m.create_thread(learner, "course_assistant", store.course_id)
    run_to_end(m, learner, thread.id, "What is the secret recipe?")
    [(question, answered, passages)] = _logged(db)
    assert question == "What is the secret recipe?" and answered is True and passages > 0


def test_a_refusal_is_logged_unanswered_for_the_gap_report(db: Database, settings: Settings, world: Any) -> None:
    store, runtime = world
    learner = principal_of(db, store.learner_email, store.store_id)
    refusal = "The course does not cover that."
    m = manager(db, settings, runtime, ScriptedChatModel(script=[refusal]), native=False)
    thread = m.create_thread(learner, "course_assistant", store.course_id)
    run, _ = run_to_end(m, learner, thread.id, "How do I bake sourdough bread?")
    assert run.status == "completed" and _logged(db)[0][1] is False


def test_a_creators_own_questions_are_not_logged(db: Database, settings: Settings, world: Any) -> None:
    store, runtime = world
    m = manager(db, settings, runtime, ScriptedChatModel(script=["The recipe is alpha [1]."]), native=False)
    thread = m.create_thread(store.owner, "course_assistant", store.course_id)
    run_to_end(m, store.owner, thread.id, "What is the secret recipe?")
    assert _logged(db) == []
