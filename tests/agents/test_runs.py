"""Runs of the course assistant, driven by a scripted model over the real retrieval stack."""

import asyncio
import re
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage
from pydantic import PrivateAttr
from sqlalchemy.exc import OperationalError

from agents.events import EventLog
from agents.models import Run
from agents.runs import RunManager, usage_by_store
from core.db import Database, utcnow
from core.errors import Conflict, NotFound
from core.settings import Settings
from tests.agent_fixtures import INJECTION, call, manager
from tests.conftest import StoreWorld, principal_of
from tests.scripted_model import ScriptedChatModel


def run_to_end(m: RunManager, learner, thread_id: str, message: str):
    run = m.start(learner, thread_id, message)
    m.wait(run.id)
    return m.get_run(learner, run.id), m.events.replay(run.id)


def test_answer_run_emits_the_protocol_in_order(db: Database, settings: Settings, world, tmp_path: Path) -> None:
    store, runtime = world
    learner = principal_of(db, store.learner_email, store.store_id)
    model = ScriptedChatModel(
        script=[
            call("search_course_content", {"query": "secret recipe"}),
            AIMessage(content=""),
            "The recipe is secret [1]. See also [7].",
        ]
    )
    m = manager(db, settings, runtime, model)
    thread = m.create_thread(learner, "course_assistant", store.course_id)
    run, events = run_to_end(m, learner, thread.id, "What is the secret recipe?")
    assert run.status == "completed"
    types = [e.type for e in events]
    assert types[:3] == ["run.started", "tool.call", "tool.result"]
    assert "message.delta" in types and types[-1] == "run.completed"
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    completed = next(e for e in events if e.type == "message.completed")
    assert completed.data["text"] == "".join(e.data["text"] for e in events if e.type == "message.delta")
    citations = [e.data for e in events if e.type == "citation"]
    assert [c["n"] for c in citations] == [1]  # [7] points at nothing and is dropped
    assert citations[0]["lesson_id"] == store.paid_lesson_id and citations[0]["url"].startswith(
        "/courses/main/lessons/"
    )
    assert events[-1].data == {"status": "completed"}


def test_injected_instructions_never_reach_the_decision_step(
    db: Database, settings: Settings, world, tmp_path: Path
) -> None:
    store, runtime = world
    learner = principal_of(db, store.learner_email, store.store_id)
    model = ScriptedChatModel(
        script=[call("search_course_content", {"query": "secret"}), AIMessage(content=""), "It is secret [1]."]
    )
    m = manager(db, settings, runtime, model)
    thread = m.create_thread(learner, "course_assistant", store.course_id)
    _, events = run_to_end(m, learner, thread.id, "Tell me the secret")
    decision_prompts, answer_prompt = model.calls[:2], model.calls[2]
    for prompt in decision_prompts:
        assert all(INJECTION not in str(message.content) for message in prompt["messages"])
    answer_text = "\n".join(str(message.content) for message in answer_prompt["messages"])
    assert "<passage>\nalpha secret recipe." in answer_text  # course text reaches the answer step fenced
    outside = re.sub(r"<passage>.*?</passage>", "", answer_text, flags=re.S)
    assert "IGNORE ALL PREVIOUS RULES" not in outside
    assert "tools" not in answer_prompt  # the step that reads course text cannot call tools
    assert [e.data["name"] for e in events if e.type == "tool.call"] == ["search_course_content"]


def test_locked_lesson_never_leaks_into_answer_or_citations(
    db: Database, settings: Settings, world, tmp_path: Path
) -> None:
    store, runtime = world
    learner = principal_of(db, store.learner_email, store.store_id)
    model = ScriptedChatModel(
        script=[call("search_course_content", {"query": "Drip later"}), AIMessage(content=""), "Answer [1] [2] [3]."]
    )
    m = manager(db, settings, runtime, model)
    thread = m.create_thread(learner, "course_assistant", store.course_id)
    _, events = run_to_end(m, learner, thread.id, "What does the drip lesson say?")
    result = next(e for e in events if e.type == "tool.result")
    assert store.drip_lesson_id not in {p["lesson_id"] for p in result.data["output"]["passages"]}
    assert store.drip_lesson_id not in {e.data["lesson_id"] for e in events if e.type == "citation"}
    assert all("later" not in str(msg.content) for msg in model.calls[2]["messages"] if "<passage" in str(msg.content))


def test_a_busy_thread_refuses_a_second_message(
    db: Database, settings: Settings, world, tmp_path: Path, send_registry
) -> None:
    store, runtime = world
    learner = principal_of(db, store.learner_email, store.store_id)

    registry = send_registry
    model = ScriptedChatModel(script=[call("send_note", {"text": "hi"}), AIMessage(content=""), "Sent."])
    m = manager(db, settings, runtime, model, registry)
    thread = m.create_thread(learner, "course_assistant", None)
    run, events = run_to_end(m, learner, thread.id, "send a note")
    assert run.status == "interrupted" and events[-1].data == {"status": "interrupted"}
    assert any(e.type == "approval.required" for e in events)
    with pytest.raises(Conflict, match="in progress"):
        m.start(learner, thread.id, "another message")
    m.resume(learner, run.id, "approve")
    m.wait(run.id)
    assert m.get_run(learner, run.id).status == "completed"
    with pytest.raises(Conflict, match="not waiting"):
        m.resume(learner, run.id, "approve")
    results = [e for e in m.events.replay(run.id) if e.type == "tool.result"]
    assert results[-1].data["output"] == {"ok": True}


def test_runs_and_threads_are_private_to_their_user(
    db: Database, settings: Settings, world, tmp_path: Path, store_b: StoreWorld
) -> None:
    store, runtime = world
    learner = principal_of(db, store.learner_email, store.store_id)
    model = ScriptedChatModel(script=[AIMessage(content=""), "hello"])
    m = manager(db, settings, runtime, model)
    thread = m.create_thread(learner, "course_assistant", None)
    run, _ = run_to_end(m, learner, thread.id, "hi")
    for intruder in (store.owner, principal_of(db, store_b.learner_email, store_b.store_id)):
        with pytest.raises(NotFound):
            m.get_run(intruder, run.id)
        with pytest.raises(NotFound):
            m.start(intruder, thread.id, "hi")


def test_usage_is_recorded_per_run_and_per_store(db: Database, settings: Settings, world, tmp_path: Path) -> None:
    store, runtime = world
    learner = principal_of(db, store.learner_email, store.store_id)
    reply = AIMessage(content="hi", usage_metadata={"input_tokens": 40, "output_tokens": 5, "total_tokens": 45})
    model = ScriptedChatModel(script=[AIMessage(content=""), reply])
    m = manager(db, settings, runtime, model)
    thread = m.create_thread(learner, "course_assistant", None)
    run, events = run_to_end(m, learner, thread.id, "hi")
    assert (run.prompt_tokens, run.completion_tokens) == (40, 5)
    assert next(e for e in events if e.type == "usage").data == {"prompt_tokens": 40, "completion_tokens": 5}
    assert usage_by_store(db, store.store_id) == {"runs": 1, "prompt_tokens": 40, "completion_tokens": 5}


def test_an_interrupted_run_resumes_in_a_new_process(
    db: Database, settings: Settings, world, tmp_path: Path, send_registry
) -> None:
    """The run waits for approval; the process goes away; a new manager (new event log, new
    checkpointer on the same file) resumes it, and event numbering continues without a gap."""
    store, runtime = world
    learner = principal_of(db, store.learner_email, store.store_id)

    registry = send_registry
    first = manager(db, settings, runtime, ScriptedChatModel(script=[call("send_note", {"text": "hi"})]), registry)
    thread = first.create_thread(learner, "course_assistant", None)
    run, before = run_to_end(first, learner, thread.id, "send a note")
    first.shutdown()
    assert run.status == "interrupted"

    second = manager(db, settings, runtime, ScriptedChatModel(script=[AIMessage(content=""), "Sent."]), registry)
    second.resume(learner, run.id, "approve")
    second.wait(run.id)
    after = second.events.replay(run.id)
    assert second.get_run(learner, run.id).status == "completed"
    assert [e.seq for e in after] == list(range(1, len(after) + 1)) and len(after) > len(before)
    assert after[-1].data == {"status": "completed"}


def test_a_thread_is_multi_turn(db: Database, settings: Settings, world, tmp_path: Path) -> None:
    store, runtime = world
    learner = principal_of(db, store.learner_email, store.store_id)
    model = ScriptedChatModel(
        script=[AIMessage(content=""), "Gain staging sets levels.", AIMessage(content=""), "Yes, at every stage."]
    )
    m = manager(db, settings, runtime, model)
    thread = m.create_thread(learner, "course_assistant", store.course_id)
    run_to_end(m, learner, thread.id, "What is gain staging?")
    second, _ = run_to_end(m, learner, thread.id, "Does it apply to every stage?")
    assert second.status == "completed"
    answer_prompt = "\n".join(str(message.content) for message in model.calls[-1]["messages"])
    assert "What is gain staging?" in answer_prompt and "Gain staging sets levels." in answer_prompt
    assert "Does it apply to every stage?" in answer_prompt


class Gathering(ScriptedChatModel):
    """Writes its answer only once `expected` answers are being written at the same moment: runs
    that did not execute side by side would wait here until the timeout fails them."""

    expected: int = 1
    _arrived: list[int] = PrivateAttr(default_factory=lambda: [0])
    _all_here: list[asyncio.Event] = PrivateAttr(default_factory=list)

    def _next(self, messages: list[BaseMessage], **kwargs: Any) -> AIMessage:
        return AIMessage(content="" if "tools" in kwargs else "All here.")

    async def _astream(self, messages, stop=None, run_manager=None, **kwargs):
        if "tools" not in kwargs:
            if not self._all_here:
                self._all_here.append(asyncio.Event())
            self._arrived[0] += 1
            if self._arrived[0] == self.expected:
                self._all_here[0].set()
            await asyncio.wait_for(self._all_here[0].wait(), 30)
        async for chunk in super()._astream(messages, stop, run_manager, **kwargs):
            yield chunk


def test_runs_execute_side_by_side_on_the_run_loop(db: Database, settings: Settings, world) -> None:
    """Also a regression on PostgreSQL: the first runs each opened the checkpointer at once, and all
    but one failed on the saver's schema migrations."""
    store, runtime = world
    learner = principal_of(db, store.learner_email, store.store_id)
    m = manager(db, settings, runtime, Gathering(expected=20), workers=20)
    threads = [m.create_thread(learner, "course_assistant", store.course_id) for _ in range(20)]
    runs = [m.start(learner, t.id, "hello") for t in threads]
    for run in runs:
        m.wait(run.id)
    assert {m.get_run(learner, run.id).status for run in runs} == {"completed"}
    assert all(m.events.replay(run.id)[-2].type == "usage" for run in runs)


def test_cancel_stops_a_run_while_it_waits_on_its_model(
    db: Database, settings: Settings, world, tmp_path: Path
) -> None:
    store, runtime = world
    learner = principal_of(db, store.learner_email, store.store_id)
    model = ScriptedChatModel(script=[AIMessage(content=""), "a slow answer"], chunk_delay=120)
    m = manager(db, settings, runtime, model)
    thread = m.create_thread(learner, "course_assistant", store.course_id)
    run = m.start(learner, thread.id, "hello")
    while len(model.calls) < 2:  # the answer step is waiting on its first piece
        time.sleep(0.02)
    m.cancel(learner, run.id)
    m.wait(run.id, timeout=20)  # far less than the piece's 120 s
    assert m.get_run(learner, run.id).status == "cancelled"
    assert m.events.replay(run.id)[-1].data == {"status": "cancelled"}


def test_a_run_the_database_refuses_to_start_ends_with_an_error(
    db: Database, settings: Settings, world, tmp_path: Path, monkeypatch
) -> None:
    """Regression: a run whose first write failed stayed `queued` with no events, so its stream
    waited for ever."""
    store, runtime = world
    learner = principal_of(db, store.learner_email, store.store_id)
    m = manager(db, settings, runtime, ScriptedChatModel())

    def refuse(run_id: str) -> None:
        raise OperationalError("UPDATE runs", {}, Exception("database is locked"))

    monkeypatch.setattr(m, "_mark_running", refuse)
    thread = m.create_thread(learner, "course_assistant", store.course_id)
    run = m.start(learner, thread.id, "hello")
    m.wait(run.id)
    events = m.events.replay(run.id)
    assert [e.type for e in events] == ["error", "run.completed"] and "database is locked" in events[0].data["message"]
    assert m.get_run(learner, run.id).status == "failed"


def test_thread_turns_include_events_not_yet_written(db: Database, settings: Settings, world, tmp_path: Path) -> None:
    """Regression: the turns were read from the table only, so an answer the stream had just shown
    could be missing from them until the next group commit."""
    store, runtime = world
    learner = principal_of(db, store.learner_email, store.store_id)
    m = manager(db, settings, runtime, ScriptedChatModel(script=[AIMessage(content=""), "Shown."]))
    m.events = EventLog(db, flush_every=10_000, flush_after=60)
    thread = m.create_thread(learner, "course_assistant", store.course_id)
    run_to_end(m, learner, thread.id, "hello")
    assert [turn.answer for turn in m.transcript(learner, thread.id)] == ["Shown."]


def test_cancelling_a_run_that_waits_for_a_slot_ends_it_at_once(db: Database, settings: Settings, world) -> None:
    store, runtime = world
    learner = principal_of(db, store.learner_email, store.store_id)
    model = ScriptedChatModel(script=[AIMessage(content=""), "a slow answer"], chunk_delay=120)
    m = manager(db, settings, runtime, model, workers=1)
    busy = m.start(learner, m.create_thread(learner, "course_assistant", store.course_id).id, "first")
    waiting = m.start(learner, m.create_thread(learner, "course_assistant", store.course_id).id, "second")
    while len(model.calls) < 2:  # the first run holds the only slot, writing its slow answer
        time.sleep(0.02)
    assert m.cancel(learner, waiting.id).status == "cancelled"
    assert [e.data for e in m.events.replay(waiting.id)] == [{"status": "cancelled"}]
    m.cancel(learner, busy.id)
    m.wait(busy.id, timeout=20)
    m.wait(waiting.id, timeout=20)  # it got the slot, found itself finished, and did nothing
    assert [e.data for e in m.events.replay(waiting.id)] == [{"status": "cancelled"}]
    assert len(model.calls) == 2


def stamp(db: Database, run_id: str, status: str, seconds_ago: float) -> None:
    with db.transaction() as s:
        row = s.get(Run, run_id)
        assert row is not None
        row.status, row.heartbeat_at = status, utcnow() - timedelta(seconds=seconds_ago)


def test_runs_of_a_process_that_died_fail_once_their_heartbeat_is_stale(
    db: Database, settings: Settings, world
) -> None:
    store, runtime = world
    learner = principal_of(db, store.learner_email, store.store_id)
    other = manager(db, settings, runtime, ScriptedChatModel())  # another instance, on the same database
    lost = other.create_thread(learner, "course_assistant", store.course_id)
    alive = other.create_thread(learner, "course_assistant", store.course_id)
    with db.transaction() as s:
        runs = [
            Run(thread_id=t.id, store_id=store.store_id, user_id=learner.user_id, agent="a", message="m")
            for t in (lost, alive)
        ]
        s.add_all(runs)
        s.flush()
        lost_run, alive_run = runs[0].id, runs[1].id
    stamp(db, lost_run, "running", 120)  # its process stopped stamping two minutes ago
    stamp(db, alive_run, "running", 5)
    m = manager(db, settings, runtime, ScriptedChatModel())
    assert m.sweep_stale(60) == [lost_run]
    assert other.sweep_stale(60) == []  # one instance fails a lost run, never two
    events = m.events.replay(lost_run)
    assert [e.type for e in events] == ["error", "run.completed"] and events[0].data["code"] == "run-lost"
    assert m.get_run(learner, lost_run).status == "failed"
    assert m.get_run(learner, alive_run).status == "running"


def test_a_working_run_keeps_its_heartbeat_fresh(db: Database, settings: Settings, world) -> None:
    store, runtime = world
    learner = principal_of(db, store.learner_email, store.store_id)
    model = ScriptedChatModel(script=[AIMessage(content=""), "a slow answer"], chunk_delay=120)
    m = manager(db, settings, runtime, model)
    run = m.start(learner, m.create_thread(learner, "course_assistant", store.course_id).id, "hello")
    while len(model.calls) < 2:
        time.sleep(0.02)
    stamp(db, run.id, "running", 600)
    m.beat()
    other = manager(db, settings, runtime, ScriptedChatModel())
    assert other.sweep_stale(60) == []  # a fresh stamp: not taken for lost
    assert m.get_run(learner, run.id).status == "running"
    m.cancel(learner, run.id)
    m.wait(run.id, timeout=20)
