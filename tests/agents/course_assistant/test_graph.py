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
