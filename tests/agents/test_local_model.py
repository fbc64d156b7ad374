"""The real local model (Qwen2.5-Coder-1.5B in xllamacpp, in this process): a streamed answer, and a
grammar-constrained next-action decision that always parses into an allowed branch."""

import json

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from agents import model_files
from agents.llm import make_chat_model
from agents.toolloop import next_action_schema
from core.settings import Settings
from tools.registry import build_registry


@pytest.fixture(scope="module")
def local_chat():
    model_files.locate()  # a clear failure, not a skip, when the install step did not run
    return make_chat_model(Settings(demo=False), temperature=0.0, max_tokens=48)


def test_local_model_streams_an_answer(local_chat) -> None:
    assert not local_chat.capabilities.native_tool_calls and local_chat.capabilities.local
    chunks = list(
        local_chat.chat.stream([SystemMessage("Answer in one short sentence."), HumanMessage("What is a major scale?")])
    )
    text = "".join(str(c.content) for c in chunks)
    assert len(chunks) > 3 and len(text.split()) >= 3


def test_local_model_next_action_is_schema_valid(local_chat) -> None:
    registry = build_registry()
    tools = [registry.get("get_my_progress"), registry.get("search_course_content")]
    schema = next_action_schema(tools)
    response_format = {"type": "json_schema", "json_schema": {"name": "next_action", "schema": schema}}
    reply = local_chat.chat.bind(response_format=response_format).invoke(
        [
            SystemMessage("Choose the next action. Tools: get_my_progress(course_id), search_course_content(query)."),
            HumanMessage("How far am I in course crs_1?"),
        ]
    )
    decision = json.loads(str(reply.content))
    assert decision["action"] in {"final_answer", "get_my_progress", "search_course_content"}
    if decision["action"] != "final_answer":
        chosen = registry.get(decision["action"])
        chosen.input_model.model_validate(decision["arguments"])


def test_local_model_answers_the_demo_course_with_a_valid_citation(tmp_path, db, settings, store_a) -> None:
    """End to end on the real model: a learner asks about the shipped demo course; the answer streams
    and carries at least one citation that points at a lesson the learner may read."""
    from agents.service import build_run_manager
    from cli.demo import SHIPPED_COURSE
    from courses import enrollments
    from courses.importer import import_course, read_source
    from ingestion.pipeline import Ingestor
    from ingestion.sources import course_sources
    from tests.conftest import principal_of
    from tests.retrieval_fixtures import make_runtime

    with db.transaction() as s:
        course = import_course(s, store_a.owner, read_source(SHIPPED_COURSE), publish=True)
        enrollments.grant_enrollment(s, store_a.owner, course.id, store_a.learner_email)
        sources = course_sources(s, store_a.store_id, course.id)
    runtime = make_runtime(tmp_path / "index")
    Ingestor(runtime).sync_course(store_a.store_id, course.id, sources, complete=True)
    learner = principal_of(db, store_a.learner_email, store_a.store_id)
    manager = build_run_manager(settings.model_copy(update={"llm_temperature": 0.0}), db, lambda: runtime)
    try:
        thread = manager.create_thread(learner, "course_assistant", course.id)
        run = manager.start(learner, thread.id, "What is gain staging?")
        manager.wait(run.id, timeout=240)
        events = manager.events.replay(run.id)
    finally:
        manager.shutdown()
        runtime.close()
    assert events[-1].data == {"status": "completed"}, [e.data for e in events if e.type == "error"]
    assert sum(e.type == "message.delta" for e in events) > 3
    citations = [e.data for e in events if e.type == "citation"]
    assert citations, next(e.data["text"] for e in events if e.type == "message.completed")
    readable = {s.lesson_id for s in sources}
    assert all(c["lesson_id"] in readable for c in citations)
