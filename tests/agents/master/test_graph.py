"""The master assistant on the scripted model: it hands courses and cheat sheets to their agents
(review cards pause and resume the master's run), reads the gap report, says when web search is
off, and remembers the thread."""

from __future__ import annotations

import json
from typing import Any

from agents.master.routing import route
from core.db import Database
from core.settings import Settings
from tests.agent_fixtures import manager
from tests.agents.course_builder.factories import LESSON, outline_reply
from tests.agents.study_guides.factories import GOOD, drafted, studio_course, verdict
from tests.agents.test_runs import run_to_end
from tests.conftest import StoreWorld, principal_of
from tests.scripted_model import ScriptedChatModel
from tools.base import ToolContext
from tools.registry import build_registry


def _card(m: Any, run_id: str) -> dict[str, Any]:
    return [e.data for e in m.events.replay(run_id) if e.type == "approval.required"][-1]


def _answer(events: list[Any]) -> str:
    return str([e.data for e in events if e.type == "message.completed"][-1]["text"])


def test_a_course_request_goes_to_the_course_builder_and_its_cards_resume_the_run(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    model = ScriptedChatModel(script=[outline_reply(1, 1), LESSON])
    m = manager(db, settings, None, model)
    thread = m.create_thread(store_a.owner, "master", None)
    run, _ = run_to_end(m, store_a.owner, thread.id, "Draft a course on mixing vocals, 1 module of 1 lesson")
    assert run.status == "interrupted" and _card(m, run.id)["name"] == "create_course_from_outline"
    m.resume(store_a.owner, run.id, "approve")
    m.wait(run.id)
    assert _card(m, run.id)["name"] == "publish_course"
    m.resume(store_a.owner, run.id, "reject")
    m.wait(run.id)
    events = m.events.replay(run.id)
    assert "stays a draft" in _answer(events) and m.get_run(store_a.owner, run.id).status == "completed"


def test_a_cheat_sheet_request_goes_to_the_study_guide_agent(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    course_id = studio_course(db, store_a)
    m = manager(db, settings, None, ScriptedChatModel(script=[drafted(GOOD), verdict(True)]))
    thread = m.create_thread(store_a.owner, "master", course_id)
    run, _ = run_to_end(m, store_a.owner, thread.id, "Make a cheat sheet for this course")
    assert _card(m, run.id)["name"] == "save_study_document"


def test_a_post_request_goes_to_the_social_writer(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    post = json.dumps({"posts": [{"platform": "linkedin", "parts": ["Why do phrases end? " * 40 + "Enroll today."]}]})
    m = manager(db, settings, None, ScriptedChatModel(script=[post, json.dumps({"scores": [4]})]))
    thread = m.create_thread(store_a.owner, "master", store_a.course_id)
    run, _ = run_to_end(m, store_a.owner, thread.id, "Write a LinkedIn post for this course")
    card = _card(m, run.id)
    assert card["name"] == "save_social_posts" and card["arguments"]["posts"][0]["platform"] == "linkedin"


def test_what_learners_ask_is_answered_from_the_gap_report(db: Database, settings: Settings, world: Any) -> None:
    store, runtime = world
    learner = principal_of(db, store.learner_email, store.store_id)
    asked = {"course_id": store.course_id, "question": "How long should reverb be?", "answered": False, "passages": 0}
    build_registry().invoke(
        "record_question", ToolContext(db=db, principal=learner, settings=settings, run_id="run_asked"), asked
    )
    model = ScriptedChatModel(script=["Learners ask about reverb length (1 question)."])
    m = manager(db, settings, runtime, model, native=False)
    thread = m.create_thread(store.owner, "master", store.course_id)
    _, events = run_to_end(m, store.owner, thread.id, "What do my learners ask that the course doesn't answer?")
    result = next(e.data for e in events if e.type == "tool.result")
    assert result["name"] == "content_gaps" and result["output"]["gaps"][0]["examples"] == [
        "How long should reverb be?"
    ]
    assert "How long should reverb be?" in str(model.calls[-1]["messages"])  # the answer reads the report


def test_a_fact_check_says_plainly_that_web_search_is_off(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    model = ScriptedChatModel(script=["I could not check that: web search is off on this platform."])
    m = manager(db, settings, None, model, native=False)
    thread = m.create_thread(store_a.owner, "master", None)
    _, events = run_to_end(m, store_a.owner, thread.id, "Fact-check: the plate reverb was invented in 1957")
    result = next(e.data for e in events if e.type == "tool.result")
    assert result["name"] == "web_search" and not result["ok"] and "web search is off" in result["error"]["detail"]
    assert "web search is off" in str(model.calls[-1]["messages"])  # the answer reads why


def test_the_thread_is_one_memory_across_turns(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    model = ScriptedChatModel(script=["", "Your store sells vocal courses.", "", "You asked what your store sells."])
    m = manager(db, settings, None, model)
    thread = m.create_thread(store_a.owner, "master", None)
    _, first = run_to_end(m, store_a.owner, thread.id, "What does my store sell?")
    assert any(e.type == "message.delta" for e in first)  # the answer streams from inside the subgraph
    run_to_end(m, store_a.owner, thread.id, "What did I just ask you?")
    assert "What does my store sell?" in str(model.calls[-1]["messages"])


def test_learners_are_not_offered_the_master_assistant(db: Database, store_a: StoreWorld) -> None:
    from agents.installed import installed

    learner = principal_of(db, store_a.learner_email, store_a.store_id)
    assert "master" not in [d.name for d in installed().for_principal(learner)]


def test_requests_are_routed_by_what_they_ask() -> None:
    assert route("Draft a course on mixing vocals") == "course_builder"
    assert route("Expand the lesson on compression") == "course_builder"
    assert route("Make a cheat sheet for module 2") == "study_guides"
    assert route("What do my learners ask that the course doesn't answer?") == "assistant"
    assert route("Draft a course that fills the gaps learners ask about") == "assistant"
    assert route("How many learners finished the course?") == "assistant"
