"""The run event log: gap-free numbering, batched token writes, replay that sees unflushed events."""

from __future__ import annotations

import time
from pathlib import Path

from langchain_core.messages import AIMessage
from sqlalchemy import event, func, select

from agents.events import EventLog
from agents.models import Run, RunEvent, Thread
from core.db import Database
from core.settings import Settings
from tests.agent_fixtures import manager
from tests.conftest import StoreWorld, principal_of
from tests.scripted_model import ScriptedChatModel


def make_run(db: Database, store: StoreWorld) -> str:
    learner = principal_of(db, store.learner_email, store.store_id)
    with db.transaction() as s:
        thread = Thread(store_id=store.store_id, user_id=learner.user_id, agent="course_assistant")
        s.add(thread)
        s.flush()
        run = Run(thread_id=thread.id, store_id=store.store_id, user_id=learner.user_id, agent="x", message="m")
        s.add(run)
        s.flush()
        return run.id


def stored(db: Database, run_id: str) -> int:
    with db.transaction() as s:
        return int(s.scalar(select(func.count()).select_from(RunEvent).where(RunEvent.run_id == run_id)) or 0)


def count_commits(db: Database) -> list[int]:
    commits = [0]
    event.listen(db.engine, "commit", lambda connection: commits.__setitem__(0, commits[0] + 1))
    return commits


def test_a_streamed_answer_is_written_in_one_transaction_not_one_per_token(db: Database, store_a: StoreWorld) -> None:
    run_id = make_run(db, store_a)
    log = EventLog(db, flush_every=10_000, flush_after=60)
    for i in range(100):
        log.append(run_id, "message.delta", {"text": str(i)})
    assert stored(db, run_id) == 0
    commits = count_commits(db)
    log.flush()
    assert commits[0] == 1 and stored(db, run_id) == 100


def test_the_writer_puts_pending_events_on_disk_by_itself(db: Database, store_a: StoreWorld) -> None:
    run_id = make_run(db, store_a)
    log = EventLog(db, flush_after=0.02)
    for i in range(5):
        log.append(run_id, "message.delta", {"text": str(i)})
    log.append(run_id, "run.completed", {"status": "completed"})
    deadline = time.monotonic() + 10
    while stored(db, run_id) < 6 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [e.seq for e in EventLog(db).replay(run_id)] == [1, 2, 3, 4, 5, 6]  # another process reads the disk


def test_replay_includes_events_not_yet_on_disk(db: Database, store_a: StoreWorld) -> None:
    run_id = make_run(db, store_a)
    log = EventLog(db, flush_every=10_000, flush_after=60)
    log.append(run_id, "run.started", {})
    log.flush()
    for i in range(5):
        log.append(run_id, "message.delta", {"text": str(i)})
    assert stored(db, run_id) == 1
    assert [e.seq for e in log.replay(run_id)] == [1, 2, 3, 4, 5, 6]
    assert [e.seq for e in log.replay(run_id, after=4)] == [5, 6]


def test_a_forgotten_run_keeps_numbering_from_pending_events(db: Database, store_a: StoreWorld) -> None:
    run_id = make_run(db, store_a)
    log = EventLog(db, flush_every=10_000, flush_after=60)
    log.append(run_id, "run.completed", {"status": "interrupted"})
    log.forget(run_id)
    assert log.append(run_id, "run.started", {}).seq == 2


def test_numbering_continues_in_a_new_process(db: Database, store_a: StoreWorld) -> None:
    run_id = make_run(db, store_a)
    first = EventLog(db)
    first.append(run_id, "run.started", {})
    first.close()  # the process ends
    assert EventLog(db).append(run_id, "run.completed", {"status": "completed"}).seq == 2


def test_shutdown_lets_a_running_run_finish(db: Database, settings: Settings, world, tmp_path: Path) -> None:
    store, runtime = world
    learner = principal_of(db, store.learner_email, store.store_id)
    model = ScriptedChatModel(script=[AIMessage(content=""), "a calm answer " * 5], chunk_delay=0.02)
    m = manager(db, settings, runtime, model)
    run = m.start(learner, m.create_thread(learner, "course_assistant", None).id, "hi")
    m.shutdown(drain_seconds=30)
    assert m.get_run(learner, run.id).status == "completed"


def test_recover_fails_runs_a_dead_process_left_running(
    db: Database, settings: Settings, world, tmp_path: Path
) -> None:
    store, runtime = world
    run_id = make_run(db, store)
    with db.transaction() as s:
        row = s.get(Run, run_id)
        assert row is not None
        row.status = "running"
    m = manager(db, settings, runtime, ScriptedChatModel())
    assert m.recover() == [run_id]
    events = m.events.replay(run_id)
    assert [e.type for e in events] == ["error", "run.completed"] and events[-1].data == {"status": "failed"}


def test_events_of_a_deleted_run_do_not_block_the_others(db: Database, store_a: StoreWorld) -> None:
    """Regression: a batch holding events of a run deleted meanwhile failed on its foreign key, forever."""
    gone, kept = make_run(db, store_a), make_run(db, store_a)
    log = EventLog(db, flush_every=10_000, flush_after=60)
    log.append(gone, "run.started", {})
    log.append(kept, "run.started", {})
    with db.transaction() as s:
        s.delete(s.get(Run, gone))
    log.flush()
    assert stored(db, kept) == 1 and stored(db, gone) == 0
    assert log.replay(gone) == []


def count_queries(db: Database) -> list[int]:
    queries = [0]
    event.listen(db.engine, "before_cursor_execute", lambda *a: queries.__setitem__(0, queries[0] + 1))
    return queries


def test_a_new_runs_events_replay_from_memory_without_a_query(db: Database, store_a: StoreWorld) -> None:
    run_id = make_run(db, store_a)
    log = EventLog(db, flush_every=10_000, flush_after=60)
    log.open(run_id, new=True)
    queries = count_queries(db)
    assert log.replay(run_id) == []  # a stream joining before the first event
    log.append(run_id, "run.started", {})
    log.append(run_id, "message.delta", {"text": "a"})
    assert [e.seq for e in log.replay(run_id, after=1)] == [2]
    assert queries[0] == 0
    log.forget(run_id)  # finished: from now on the log on disk (plus what is pending) answers
    assert [e.seq for e in log.replay(run_id)] == [1, 2] and queries[0] > 0


def test_appending_never_waits_on_another_runs_database_read(db: Database, store_a: StoreWorld, monkeypatch) -> None:
    """Regression: the first event of a resumed run read its last seq under the log's lock, so every
    other run (and the event loop, which subscribes under it) waited on that query."""
    import threading

    slow, fresh = make_run(db, store_a), make_run(db, store_a)
    log = EventLog(db, flush_every=10_000, flush_after=60)
    reading, release = threading.Event(), threading.Event()
    real = log._stored_last

    def stalled(run_id: str) -> int:
        reading.set()
        release.wait(30)
        return real(run_id)

    monkeypatch.setattr(log, "_stored_last", stalled)
    resumed = threading.Thread(target=log.append, args=(slow, "run.started", {}))
    resumed.start()
    assert reading.wait(10)
    log.open(fresh, new=True)
    log.append(fresh, "run.started", {})  # would hang here while the other read is stalled
    unsubscribe = log.subscribe(fresh, lambda e: None)
    unsubscribe()
    assert resumed.is_alive()  # still reading: the append above did not wait for it
    release.set()
    resumed.join(10)
    assert [e.seq for e in log.replay(slow)] == [1]
