"""Runs: an agent working on a thread, executed server-side independent of any client. Every step is
written to the run's event log, so a client can leave, come back, and read everything it missed; a
finished run replays whole. Threads are checkpointed, so an interrupted run (waiting for approval)
resumes even after a restart.

Runs execute as tasks on one event loop of their own (a thread, `runs-loop`): a run waiting on its
model holds no thread, so a process carries a thousand of them. At most `workers` execute at once;
the rest wait for a slot holding nothing but a little memory. Database work and tools run on a small
executor, so the loop never waits on a lock."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Coroutine, Iterator, Sequence
from concurrent import futures as cf
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import aclosing, contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any, Literal

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from langgraph.types import Command
from sqlalchemy import ColumnElement, func, select, update

from agents import course_assistant
from agents.checkpoints import Checkpoints, Opener
from agents.events import EventLog
from agents.graph import ToolEvent, build_graph
from agents.llm import ChatModel
from agents.models import Run, RunEvent, Thread
from core.db import Database, utcnow
from core.errors import AppError, Conflict, NotFound, invalid
from core.principal import Principal
from core.settings import Settings
from rag.runtime import RetrievalRuntime
from tools.base import Registry, ToolContext
from tools.course_tools import check_course_readable

log = logging.getLogger("academy.runs")
AGENTS = {course_assistant.NAME}
ACTIVE = ("queued", "running", "interrupted")
FINISHED = ("completed", "failed", "cancelled")
Decision = Literal["approve", "edit", "reject"]
OnBusy = Literal["reject", "enqueue", "interrupt"]
MAX_MESSAGE_CHARS = 8000
PRUNE_AT = 512  # finished runs whose futures are kept for wait()
IO_THREADS = 8  # the executor for the database and the tools of every run
STALE_SECONDS = 60.0  # a queued or running run whose heartbeat is older belongs to a dead process


class ShuttingDown(AppError):
    status, code, title = 503, "shutting-down", "The server is shutting down"


@dataclass
class RunDeps:
    db: Database
    settings: Settings
    registry: Registry
    chat: Callable[[], ChatModel]
    retrieval: Callable[[], RetrievalRuntime | None]
    checkpointer: Opener  # opened on the run loop, at the first run


@dataclass
class RunSummary:
    run: Run
    answer: str = ""
    citations: list[dict[str, Any]] = field(default_factory=list)
    approval: dict[str, Any] | None = None
    error: str | None = None
    last_event_id: int = 0


class RunManager:
    def __init__(self, deps: RunDeps, events: EventLog, workers: int = 4) -> None:
        self.deps = deps
        self.events = events
        self.workers = workers
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: threading.Thread | None = None
        self._slots: asyncio.Semaphore | None = None
        self._checkpoints: Checkpoints | None = None
        self._opening: asyncio.Lock | None = None
        self._futures: dict[str, Future[None]] = {}
        self._tasks: dict[str, asyncio.Task[Any]] = {}  # runs working on their graph, for a prompt cancel
        self._cancel: dict[str, threading.Event] = {}
        # Two kinds of lock, neither held by one thread while another thread's work waits on the
        # database: `_lock` guards the in-memory books only (the event loop reads them); a thread's
        # own lock makes its busy check, run insert and queueing one step (other threads go on).
        self._lock = threading.Lock()
        self._thread_locks: dict[str, tuple[threading.Lock, int]] = {}
        self._queued: dict[str, deque[tuple[str, Principal, Thread, Any]]] = defaultdict(deque)
        self._queued_ids: set[str] = set()
        self._closing = False

    # --- threads ---------------------------------------------------------------------------

    def create_thread(
        self, principal: Principal, agent: str, course_id: str | None, title: str = "", channel: str = "chat"
    ) -> Thread:
        if agent not in AGENTS:
            raise invalid("agent", f"unknown agent; choose one of {', '.join(sorted(AGENTS))}")
        with self.deps.db.transaction() as session:
            if course_id is not None:
                check_course_readable(session, principal, course_id)  # 404 for a course this caller cannot see
            thread = Thread(
                store_id=principal.require_store(),
                user_id=principal.user_id,
                agent=agent,
                course_id=course_id,
                title=title[:300],
                channel=channel,
            )
            session.add(thread)
            session.flush()
            return thread

    def get_thread(self, principal: Principal, thread_id: str) -> Thread:
        with self.deps.db.transaction() as session:
            thread = session.get(Thread, thread_id)
            if thread is None or thread.store_id != principal.store_id or thread.user_id != principal.user_id:
                raise NotFound(f"thread '{thread_id}' not found")
            return thread

    def list_threads(self, principal: Principal, limit: int = 50) -> list[Thread]:
        with self.deps.db.transaction() as session:
            rows = session.scalars(
                select(Thread)
                .where(
                    Thread.store_id == principal.require_store(),
                    Thread.user_id == principal.user_id,
                    Thread.channel == "chat",
                )
                .order_by(Thread.updated_at.desc(), Thread.id.desc())
                .limit(limit)
            )
            return list(rows)

    def thread_runs(self, principal: Principal, thread_id: str) -> list[Run]:
        thread = self.get_thread(principal, thread_id)
        with self.deps.db.transaction() as session:
            return list(session.scalars(select(Run).where(Run.thread_id == thread.id).order_by(Run.created_at)))

    def transcript(self, principal: Principal, thread_id: str) -> list[RunSummary]:
        """The thread's turns as a person reads them: each message, its answer, citations, and a
        pending approval; read from the event logs, so it is the same text the stream showed."""
        runs = self.thread_runs(principal, thread_id)
        for run in runs:
            self.events.flush(run.id)  # what the stream already showed is in the table read below
        kinds = ("message.completed", "citation", "approval.required", "error")
        by_run: dict[str, RunSummary] = {run.id: RunSummary(run) for run in runs}
        with self.deps.db.transaction() as session:
            rows = session.scalars(
                select(RunEvent)
                .where(RunEvent.run_id.in_(list(by_run)), RunEvent.type.in_(kinds))
                .order_by(RunEvent.run_id, RunEvent.seq)
            )
            last_ids = session.execute(
                select(RunEvent.run_id, func.max(RunEvent.seq))
                .where(RunEvent.run_id.in_(list(by_run)))
                .group_by(RunEvent.run_id)
            )
            for run_id, last_id in last_ids:
                by_run[run_id].last_event_id = int(last_id or 0)
            for row in rows:
                summary = by_run[row.run_id]
                if row.type == "message.completed":
                    summary.answer = str(row.data.get("text", ""))
                elif row.type == "citation":
                    summary.citations.append(dict(row.data))
                elif row.type == "approval.required":
                    summary.approval = dict(row.data)
                else:
                    summary.error = str(row.data.get("message", ""))
        for summary in by_run.values():
            if summary.run.status != "interrupted":
                summary.approval = None
        return list(by_run.values())

    def delete_thread(self, principal: Principal, thread_id: str) -> None:
        """Deletes the thread, its runs and their events; a run still working is cancelled first."""
        thread = self.get_thread(principal, thread_id)
        with self._lock:
            for item in self._queued.pop(thread.id, ()):
                self._queued_ids.discard(item[0])
        for run in self.thread_runs(principal, thread.id):
            if run.status in ACTIVE:
                self._signal_cancel(run.id)
                future = self._futures.get(run.id)
                if future is not None:
                    future.result(timeout=self.deps.settings.llm_timeout_seconds)
        for run in self.thread_runs(principal, thread.id):
            self.events.discard(run.id)
        with self.deps.db.transaction() as session:
            stored = session.get(Thread, thread.id)
            if stored is not None:
                session.delete(stored)

    def get_run(self, principal: Principal, run_id: str) -> Run:
        with self.deps.db.transaction() as session:
            run = session.get(Run, run_id)
            if run is None or run.store_id != principal.store_id or run.user_id != principal.user_id:
                raise NotFound(f"run '{run_id}' not found")
            return run

    # --- runs ------------------------------------------------------------------------------

    def start(
        self,
        principal: Principal,
        thread_id: str,
        message: str,
        on_busy: OnBusy = "reject",
        prior: Sequence[BaseMessage] = (),
    ) -> Run:
        """Start a run, or with `on_busy` queue it behind the thread's current run (`enqueue`) or
        cancel that run and go next (`interrupt`); by default a busy thread answers 409. `prior` seeds
        a new thread with earlier turns (the chat-completions facade sends the whole conversation)."""
        if self._closing:
            raise ShuttingDown("the server is shutting down; try again in a moment")
        thread = self.get_thread(principal, thread_id)
        if not message.strip():
            raise invalid("message", "must not be empty")
        if len(message) > MAX_MESSAGE_CHARS:
            raise invalid("message", f"is {len(message)} characters; the limit is {MAX_MESSAGE_CHARS}")
        graph_input = {"messages": [*prior, HumanMessage(message)], "tool_rounds": 0}
        with self._thread_lock(thread.id):
            with self.deps.db.transaction() as session:
                busy = session.scalar(select(Run.id).where(Run.thread_id == thread.id, Run.status.in_(ACTIVE)))
                if busy is not None and on_busy == "reject":
                    raise Conflict(
                        f"the thread has a run in progress ({busy}); send on_busy=enqueue or on_busy=interrupt",
                        extra={"run_id": busy},
                    )
                run = Run(
                    thread_id=thread.id,
                    store_id=thread.store_id,
                    user_id=principal.user_id,
                    agent=thread.agent,
                    message=message,
                )
                session.add(run)
                stored_thread = session.get(Thread, thread.id)
                if stored_thread is not None:
                    stored_thread.updated_at = utcnow()
                    if not stored_thread.title:
                        stored_thread.title = message.strip()[:80]
                session.flush()
            self.events.open(run.id, new=True)
            if busy is None:
                self._submit(run, principal, thread, graph_input)
                return run
            with self._lock:
                self._queued[thread.id].append((run.id, principal, thread, graph_input))
                self._queued_ids.add(run.id)
        if on_busy == "interrupt":
            self._request_cancel(busy)
        return run

    def resume(
        self, principal: Principal, run_id: str, decision: Decision, arguments: dict[str, Any] | None = None
    ) -> Run:
        run = self.get_run(principal, run_id)
        if run.status != "interrupted":
            raise Conflict(f"the run is {run.status}, not waiting for approval", extra={"run_status": run.status})
        if decision == "edit" and not arguments:
            raise invalid("arguments", "an edit needs the new arguments")
        thread = self.get_thread(principal, run.thread_id)
        with self.deps.db.transaction() as session:
            stored = session.get(Run, run.id)
            assert stored is not None
            stored.status, stored.heartbeat_at = "queued", utcnow()  # fresh, or a sweep would take it as lost
        payload: dict[str, Any] = {"decision": decision, **({"arguments": arguments} if arguments else {})}
        self._submit(run, principal, thread, Command(resume=payload))
        return run

    def cancel(self, principal: Principal, run_id: str) -> Run:
        run = self.get_run(principal, run_id)
        if run.status not in ACTIVE:
            raise Conflict(f"the run is already {run.status}", extra={"run_status": run.status})
        self._request_cancel(run.id)
        return self.get_run(principal, run_id)

    def _request_cancel(self, run_id: str) -> None:
        """A running run stops where it waits; a queued one, or one waiting for approval, is finished
        here, so its stream ends now rather than when a slot frees up."""
        self._signal_cancel(run_id)
        with self._lock:
            if run_id in self._queued_ids:
                self._queued_ids.discard(run_id)
                for queue in self._queued.values():
                    for item in list(queue):
                        if item[0] == run_id:
                            queue.remove(item)
                            break
        with self.deps.db.transaction() as session:
            run = session.get(Run, run_id)
            status = run.status if run is not None else None
        if status in ("interrupted", "queued"):  # a queued run that gets its slot later finds it finished
            self._finish(run_id, "cancelled")

    def _signal_cancel(self, run_id: str) -> None:
        """The run stops now: its flag is set, and the task is cancelled where it waits (the model,
        a tool); a run that has not started sees the flag when it gets a slot."""
        self._cancel.setdefault(run_id, threading.Event()).set()
        task, loop = self._tasks.get(run_id), self._loop
        if task is not None and loop is not None:
            loop.call_soon_threadsafe(task.cancel)

    def wait(self, run_id: str, timeout: float = 60.0) -> None:
        future = self._futures.get(run_id)
        if future is not None:
            future.result(timeout=timeout)

    def is_running(self, run_id: str) -> bool:
        """Queued or executing in this process (its events arrive live to subscribers here)."""
        future = self._futures.get(run_id)
        if future is not None and not future.done():
            return True
        return run_id in self._queued_ids

    def active_count(self) -> int:
        return sum(1 for future in list(self._futures.values()) if not future.done())

    def shutdown(self, drain_seconds: float = 30.0) -> None:
        """Stop taking runs, let the running ones finish for up to `drain_seconds`, then cancel the rest."""
        self._closing = True
        deadline = time.monotonic() + drain_seconds
        while self.active_count() and time.monotonic() < deadline:
            time.sleep(0.05)
        pending = [future for future in list(self._futures.values()) if not future.done()]
        for run_id, future in list(self._futures.items()):
            if not future.done():
                self._signal_cancel(run_id)
        cf.wait(pending, timeout=self.deps.settings.llm_timeout_seconds)  # each stops at its next step
        self.events.close()
        self.close()

    def close(self) -> None:
        """Release the checkpoints and stop the run loop (the manager is done; `shutdown` ends here).
        The checkpoint connection's thread would otherwise keep the process from exiting."""
        loop, thread = self._loop, self._loop_thread
        if loop is None or thread is None:
            return
        self._loop = self._loop_thread = None
        checkpoints, self._checkpoints = self._checkpoints, None
        if checkpoints is not None:  # first: a connection pool's own tasks end with it
            asyncio.run_coroutine_threadsafe(checkpoints.close(), loop).result(timeout=30)
        asyncio.run_coroutine_threadsafe(_settle_tasks(), loop).result(timeout=30)  # the heartbeat, mostly
        # A tool still working for a cancelled run finishes its write before the manager is gone.
        asyncio.run_coroutine_threadsafe(loop.shutdown_default_executor(), loop).result(timeout=60)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        loop.close()

    def recover(self) -> list[str]:
        """At start-up on an embedded database (one process owns it): every run left `queued` or
        `running` belonged to a process that died, and fails now. Runs waiting for approval stay
        resumable."""
        return self.sweep_stale(None)

    def sweep_stale(self, older_than: float | None = STALE_SECONDS) -> list[str]:
        """Fail the runs of processes that died: `queued` or `running` runs, not this process's,
        whose heartbeat is older than `older_than` seconds (None: whatever their heartbeat). Each
        gets an error event and `run.completed`, so its streams end; several instances may sweep at
        once, and a run is failed by exactly one of them."""
        waiting: ColumnElement[bool] = Run.status.in_(("queued", "running"))
        if older_than is not None:
            cutoff = utcnow() - timedelta(seconds=older_than)
            waiting = waiting & (Run.heartbeat_at.is_(None) | (Run.heartbeat_at < cutoff))
        with self.deps.db.transaction() as session:
            candidates = list(session.scalars(select(Run.id).where(waiting)))
        message = "the server working on this run stopped (a restart or a crash); send the message again"
        failed: list[str] = []
        for run_id in candidates:
            if run_id in self._futures or run_id in self._queued_ids:
                continue  # ours, and alive
            lost = {"message": message, "code": "run-lost"}
            if self._finish(run_id, "failed", "its server stopped while it was working", notice=lost, only=waiting):
                failed.append(run_id)
        return failed

    def beat(self) -> None:
        """Stamp the heartbeat of every run this process holds, queued or running."""
        with self._lock:
            ours = [run_id for run_id, future in self._futures.items() if not future.done()]
            ours += list(self._queued_ids)
        if not ours:
            return
        with self.deps.db.transaction() as session:
            session.execute(
                update(Run).where(Run.id.in_(ours), Run.status.in_(("queued", "running"))).values(heartbeat_at=utcnow())
            )

    def start_background(self) -> None:
        """Keep this process's runs stamped and fail those of dead processes, every quarter of the
        staleness limit (a server calls this; a CLI chat does not need it)."""
        self._on_loop(self._keep_alive())

    async def _keep_alive(self) -> None:
        io = asyncio.get_running_loop().run_in_executor
        while True:
            await asyncio.sleep(STALE_SECONDS / 4)
            try:
                await io(None, self.beat)
                await io(None, self.sweep_stale)
            except Exception:  # the database is briefly away: try again next round
                log.exception("the run heartbeat failed")

    # --- execution -------------------------------------------------------------------------

    def _submit(self, run: Run, principal: Principal, thread: Thread, graph_input: Any) -> None:
        if len(self._futures) > 2 * PRUNE_AT:
            for done in [key for key, future in list(self._futures.items()) if future.done()][:PRUNE_AT]:
                self._futures.pop(done, None)
                self._cancel.pop(done, None)
        self._cancel[run.id] = threading.Event()
        self._futures[run.id] = self._on_loop(self._execute(run.id, principal, thread, graph_input))

    def _on_loop(self, coroutine: Coroutine[Any, Any, None]) -> Future[None]:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                loop.set_default_executor(ThreadPoolExecutor(IO_THREADS, thread_name_prefix="run-io"))
                self._loop_thread = threading.Thread(target=loop.run_forever, name="runs-loop", daemon=True)
                self._loop_thread.start()
                self._loop = loop
            loop = self._loop
        return asyncio.run_coroutine_threadsafe(coroutine, loop)

    async def _saver(self) -> Any:
        """The checkpointer, opened on the run loop by the first run; the runs that start meanwhile
        wait for it (each opening its own raced on the saver's schema migrations on PostgreSQL)."""
        if self._opening is None:
            self._opening = asyncio.Lock()
        async with self._opening:
            if self._checkpoints is None:
                self._checkpoints = await self.deps.checkpointer()
        return self._checkpoints.saver

    async def _execute(self, run_id: str, principal: Principal, thread: Thread, graph_input: Any) -> None:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.workers)
        async with self._slots:
            try:
                await self._execute_now(run_id, principal, thread, graph_input)
            except Exception as exc:  # the run could not even start or finish (the database refused)
                await self._fail(run_id, exc)

    async def _fail(self, run_id: str, exc: Exception) -> None:
        """The run failed: an error event a client can read, and the run marked failed."""
        log.error("run %s failed", run_id, exc_info=exc)
        if isinstance(exc, AppError):  # a known condition (model busy, misconfiguration): say it plainly
            data = {"message": exc.detail[:500], "code": exc.code, "status": exc.status}
        else:
            data = {"message": f"the agent failed: {type(exc).__name__}: {exc}"[:500], "code": "agent-failed"}
        finish = partial(self._finish, run_id, "failed", str(exc)[:2000], notice=data)
        try:
            await asyncio.get_running_loop().run_in_executor(None, finish)
        except Exception:
            log.exception("run %s could not be marked failed", run_id)
            self.events.append(run_id, "error", data)
            self.events.append(run_id, "run.completed", {"status": "failed"})  # its streams still end

    async def _execute_now(self, run_id: str, principal: Principal, thread: Thread, graph_input: Any) -> None:
        events, deps = self.events, self.deps
        io = asyncio.get_running_loop().run_in_executor
        cancelled = self._cancel[run_id]
        if cancelled.is_set():  # cancelled while it waited for a slot
            await io(None, self._finish, run_id, "cancelled")
            return
        if not await io(None, self._mark_running, run_id):
            return  # finished while it waited for a slot (cancelled)
        events.append(run_id, "run.started", {"run_id": run_id, "thread_id": thread.id, "agent": thread.agent})
        book = course_assistant.CitationBook()
        spec = course_assistant.build_spec(book, thread.course_id)

        def on_tool(event: ToolEvent) -> None:
            events.append(run_id, event.kind, event.data)

        spec.on_tool_event = on_tool
        try:
            model = await io(None, deps.chat)  # the first call may start the local model server
            retrieval = await io(None, deps.retrieval)
            ctx = ToolContext(db=deps.db, principal=principal, settings=deps.settings, retrieval=retrieval)
            graph = build_graph(
                spec, model.chat, model.capabilities.native_tool_calls, deps.registry, ctx, await self._saver()
            )
            usage = UsageCounter()
            config: dict[str, Any] = {"configurable": {"thread_id": thread.id}, "callbacks": [usage]}
            task = asyncio.current_task()
            assert task is not None
            self._tasks[run_id] = task
            try:
                if not cancelled.is_set():
                    stream = graph.astream(graph_input, config, stream_mode="messages")
                    async with aclosing(stream):
                        async for chunk, meta in stream:
                            streamed = isinstance(chunk, AIMessageChunk) and isinstance(chunk.content, str)
                            if streamed and meta.get("langgraph_node") == "respond" and chunk.content:
                                events.append(run_id, "message.delta", {"text": chunk.content})
            except asyncio.CancelledError:
                if not cancelled.is_set():
                    raise  # the loop itself is going away
                task.uncancel()
            finally:
                self._tasks.pop(run_id, None)
            prompt_tokens, completion_tokens = usage.prompt_tokens, usage.completion_tokens
            tokens = (prompt_tokens, completion_tokens)
            if cancelled.is_set():
                await io(None, self._finish, run_id, "cancelled", None, tokens)
                return
            state = await graph.aget_state(config)
            if state.next:
                await io(None, self._finish, run_id, "interrupted", None, tokens)
                return
            answer = next(
                (m.content for m in reversed(state.values["messages"]) if isinstance(m, AIMessage) and m.content), ""
            )
            text = book.attach_citations(answer if isinstance(answer, str) else "")
            events.append(run_id, "message.completed", {"text": text})
            for number, passage in book.cited(text):
                events.append(run_id, "citation", {"n": number, **{k: passage.get(k) for k in _CITATION_KEYS}})
            events.append(run_id, "usage", {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens})
            await io(None, self._finish, run_id, "completed", None, tokens)
        except Exception as exc:
            await self._fail(run_id, exc)

    def _mark_running(self, run_id: str) -> bool:
        """Queued -> running; False when the run is no longer queued (cancelled or deleted meanwhile)."""
        with self.deps.db.transaction() as session:
            row = session.get(Run, run_id, with_for_update=True)
            if row is None or row.status != "queued":
                return False
            row.status, row.started_at = "running", row.started_at or utcnow()
            row.heartbeat_at = utcnow()
        self.events.open(run_id)  # a resumed run's counter, read here rather than on the loop
        return True

    def _finish(
        self,
        run_id: str,
        status: str,
        error: str | None = None,
        tokens: tuple[int, int] = (0, 0),
        notice: dict[str, Any] | None = None,
        only: ColumnElement[bool] | None = None,
    ) -> bool:
        """Move a run that is not finished yet to `status` in one conditional update, then write
        `notice` (an `error` event) and `run.completed`. False, writing nothing, when the run was
        finished already or does not match `only` (the stale sweep's test): a cancel and the run
        itself, or two sweeping instances, end a run exactly once."""
        values: dict[str, Any] = {
            "status": status,
            "error": error,
            "prompt_tokens": Run.prompt_tokens + tokens[0],
            "completion_tokens": Run.completion_tokens + tokens[1],
        }
        if status != "interrupted":
            values["finished_at"] = utcnow()
        conditions = [Run.id == run_id, Run.status.not_in(FINISHED), *([only] if only is not None else [])]
        with self.deps.db.transaction() as session:
            thread_id = session.execute(
                update(Run).where(*conditions).values(**values).returning(Run.thread_id)
            ).scalar_one_or_none()
        if thread_id is None:
            return False
        if notice is not None:
            self.events.append(run_id, "error", notice)
        self.events.append(run_id, "run.completed", {"status": status})
        if status != "interrupted":
            self.events.forget(run_id)
            self._start_next(thread_id)
        return True

    def _start_next(self, thread_id: str) -> None:
        with self._thread_lock(thread_id):
            with self._lock:
                queue = self._queued.get(thread_id)
                if not queue:
                    self._queued.pop(thread_id, None)
                    return
                run_id, principal, thread, graph_input = queue.popleft()
            with self.deps.db.transaction() as session:
                run = session.get(Run, run_id)
            if run is not None:
                self._submit(run, principal, thread, graph_input)
            with self._lock:
                self._queued_ids.discard(run_id)

    @contextmanager
    def _thread_lock(self, thread_id: str) -> Iterator[None]:
        with self._lock:
            lock, users = self._thread_locks.get(thread_id, (threading.Lock(), 0))
            self._thread_locks[thread_id] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._lock:
                lock, users = self._thread_locks[thread_id]
                if users == 1:
                    del self._thread_locks[thread_id]
                else:
                    self._thread_locks[thread_id] = (lock, users - 1)


async def _settle_tasks() -> None:
    """Cancel every other task on the run loop and wait until each has ended, so none is left
    pending when the loop stops."""
    others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in others:
        task.cancel()
    await asyncio.gather(*others, return_exceptions=True)


_CITATION_KEYS = ("course_id", "lesson_id", "lesson_title", "heading", "url", "start_s")


class UsageCounter(BaseCallbackHandler):
    """Sums token usage over every model call of a run, whatever the provider reports as its name."""

    run_inline = True  # called on the run loop itself, not handed to an executor

    def __init__(self) -> None:
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self._lock = threading.Lock()

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        for generations in response.generations:
            for generation in generations:
                message = generation.message if isinstance(generation, ChatGeneration) else None
                usage = getattr(message, "usage_metadata", None)
                if usage:
                    with self._lock:
                        self.prompt_tokens += int(usage.get("input_tokens", 0))
                        self.completion_tokens += int(usage.get("output_tokens", 0))


def usage_by_store(db: Database, store_id: str) -> dict[str, int]:
    with db.transaction() as session:
        prompt, completion, runs = session.execute(
            select(
                func.coalesce(func.sum(Run.prompt_tokens), 0),
                func.coalesce(func.sum(Run.completion_tokens), 0),
                func.count(Run.id),
            ).where(Run.store_id == store_id)
        ).one()
    return {"runs": int(runs), "prompt_tokens": int(prompt), "completion_tokens": int(completion)}
