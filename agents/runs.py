"""Runs: an agent working on a thread, executed server-side in a worker pool, independent of any
client. Every step is written to the run's event log, so a client can leave, come back, and read
everything it missed; a finished run replays whole. Threads are checkpointed, so an interrupted
run (waiting for approval) resumes even after a restart."""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from langgraph.types import Command
from sqlalchemy import func, select

from agents import course_assistant
from agents.events import EventLog
from agents.graph import ToolEvent, build_graph
from agents.llm import ChatModel
from agents.models import Run, RunEvent, Thread
from core.db import Database, utcnow
from core.errors import AppError, Conflict, NotFound, invalid
from core.principal import Principal
from core.settings import Settings
from courses.catalog import readable_course
from rag.runtime import RetrievalRuntime
from tools.base import Registry, ToolContext

log = logging.getLogger("academy.runs")
AGENTS = {course_assistant.NAME}
ACTIVE = ("queued", "running", "interrupted")
Decision = Literal["approve", "edit", "reject"]
OnBusy = Literal["reject", "enqueue", "interrupt"]
MAX_MESSAGE_CHARS = 8000
PRUNE_AT = 512  # finished runs whose futures are kept for wait()


class ShuttingDown(AppError):
    status, code, title = 503, "shutting-down", "The server is shutting down"


@dataclass
class RunDeps:
    db: Database
    settings: Settings
    registry: Registry
    chat: Callable[[], ChatModel]
    retrieval: Callable[[], RetrievalRuntime | None]
    checkpointer: Any


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
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="run")
        self._futures: dict[str, Future[None]] = {}
        self._cancel: dict[str, threading.Event] = {}
        self._busy = threading.Lock()  # the busy check and the queueing of a thread's next run are one step
        self._queued: dict[str, deque[tuple[str, Principal, Thread, Any]]] = defaultdict(deque)
        self._closing = False

    # --- threads ---------------------------------------------------------------------------

    def create_thread(
        self, principal: Principal, agent: str, course_id: str | None, title: str = "", channel: str = "chat"
    ) -> Thread:
        if agent not in AGENTS:
            raise invalid("agent", f"unknown agent; choose one of {', '.join(sorted(AGENTS))}")
        with self.deps.db.transaction() as session:
            if course_id is not None:
                readable_course(session, principal, course_id)  # 404 for a course this caller cannot see
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
        with self._busy:
            self._queued.pop(thread.id, None)
        for run in self.thread_runs(principal, thread.id):
            if run.status in ACTIVE:
                self._cancel.setdefault(run.id, threading.Event()).set()
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
        with self._busy:
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
            if busy is None:
                self._submit(run, principal, thread, graph_input)
                return run
            self._queued[thread.id].append((run.id, principal, thread, graph_input))
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
            stored.status = "queued"
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
        """A running run stops at its next step; a waiting or queued one is finished here."""
        self._cancel.setdefault(run_id, threading.Event()).set()
        with self._busy:
            for queue in self._queued.values():
                for item in list(queue):
                    if item[0] == run_id:
                        queue.remove(item)
                        break
        with self.deps.db.transaction() as session:
            run = session.get(Run, run_id)
            status = run.status if run is not None else None
        if status == "interrupted" or (status == "queued" and run_id not in self._futures):
            self._finish(run_id, "cancelled")

    def wait(self, run_id: str, timeout: float = 60.0) -> None:
        future = self._futures.get(run_id)
        if future is not None:
            future.result(timeout=timeout)

    def is_running(self, run_id: str) -> bool:
        """Queued or executing in this process (its events arrive live to subscribers here)."""
        future = self._futures.get(run_id)
        if future is not None and not future.done():
            return True
        with self._busy:
            return any(item[0] == run_id for queue in self._queued.values() for item in queue)

    def active_count(self) -> int:
        return sum(1 for future in list(self._futures.values()) if not future.done())

    def shutdown(self, drain_seconds: float = 30.0) -> None:
        """Stop taking runs, let the running ones finish for up to `drain_seconds`, then cancel the rest."""
        self._closing = True
        deadline = time.monotonic() + drain_seconds
        while self.active_count() and time.monotonic() < deadline:
            time.sleep(0.05)
        for run_id, future in list(self._futures.items()):
            if not future.done():
                self._cancel.setdefault(run_id, threading.Event()).set()
        self._pool.shutdown(wait=True, cancel_futures=False)
        self.events.close()

    def close(self) -> None:
        """Release the checkpointer's connection (the manager is done)."""
        connection = getattr(self.deps.checkpointer, "conn", None)
        if connection is not None:
            connection.close()

    def recover(self) -> list[str]:
        """Runs left `queued` or `running` by a process that died cannot continue: they fail, with an
        error event a replaying client can read. Runs waiting for approval stay resumable."""
        with self.deps.db.transaction() as session:
            stale = list(session.scalars(select(Run.id).where(Run.status.in_(("queued", "running")))))
        for run_id in stale:
            if run_id in self._futures:
                continue
            self.events.append(run_id, "error", {"message": "the server restarted while this run was working"})
            self._finish(run_id, "failed", "interrupted by a server restart")
        return stale

    # --- execution -------------------------------------------------------------------------

    def _submit(self, run: Run, principal: Principal, thread: Thread, graph_input: Any) -> None:
        if len(self._futures) > 2 * PRUNE_AT:
            for done in [key for key, future in list(self._futures.items()) if future.done()][:PRUNE_AT]:
                self._futures.pop(done, None)
                self._cancel.pop(done, None)
        self._cancel[run.id] = threading.Event()
        self._futures[run.id] = self._pool.submit(self._execute, run.id, principal, thread, graph_input)

    def _execute(self, run_id: str, principal: Principal, thread: Thread, graph_input: Any) -> None:
        events, deps = self.events, self.deps
        with deps.db.transaction() as session:
            row = session.get(Run, run_id)
            assert row is not None
            row.status, row.started_at = "running", row.started_at or utcnow()
        events.append(run_id, "run.started", {"run_id": run_id, "thread_id": thread.id, "agent": thread.agent})
        book = course_assistant.CitationBook()
        spec = course_assistant.build_spec(book, thread.course_id)

        def on_tool(event: ToolEvent) -> None:
            events.append(run_id, event.kind, event.data)

        spec.on_tool_event = on_tool
        try:
            model = deps.chat()
            ctx = ToolContext(db=deps.db, principal=principal, settings=deps.settings, retrieval=deps.retrieval())
            graph = build_graph(
                spec, model.chat, model.capabilities.native_tool_calls, deps.registry, ctx, deps.checkpointer
            )
            usage = UsageCounter()
            config: dict[str, Any] = {"configurable": {"thread_id": thread.id}, "callbacks": [usage]}
            cancelled = self._cancel[run_id]
            for mode, payload in graph.stream(graph_input, config, stream_mode=["messages", "updates"]):
                if cancelled.is_set():
                    break
                if mode == "messages":
                    chunk, meta = payload
                    streamed = isinstance(chunk, AIMessageChunk) and isinstance(chunk.content, str)
                    if streamed and meta.get("langgraph_node") == "respond" and chunk.content:
                        events.append(run_id, "message.delta", {"text": chunk.content})
            prompt_tokens, completion_tokens = usage.prompt_tokens, usage.completion_tokens
            tokens = (prompt_tokens, completion_tokens)
            if cancelled.is_set():
                self._finish(run_id, "cancelled", tokens=tokens)
                return
            state = graph.get_state(config)
            if state.next:
                self._finish(run_id, "interrupted", tokens=tokens)
                return
            answer = next(
                (m.content for m in reversed(state.values["messages"]) if isinstance(m, AIMessage) and m.content), ""
            )
            text = book.attach_citations(answer if isinstance(answer, str) else "")
            events.append(run_id, "message.completed", {"text": text})
            for number, passage in book.cited(text):
                events.append(run_id, "citation", {"n": number, **{k: passage.get(k) for k in _CITATION_KEYS}})
            events.append(run_id, "usage", {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens})
            self._finish(run_id, "completed", tokens=tokens)
        except Exception as exc:
            log.exception("run %s failed", run_id)
            if isinstance(exc, AppError):  # a known condition (model busy, misconfiguration): say it plainly
                data = {"message": exc.detail[:500], "code": exc.code, "status": exc.status}
            else:
                data = {"message": f"the agent failed: {type(exc).__name__}: {exc}"[:500], "code": "agent-failed"}
            events.append(run_id, "error", data)
            self._finish(run_id, "failed", str(exc)[:2000])

    def _finish(self, run_id: str, status: str, error: str | None = None, tokens: tuple[int, int] = (0, 0)) -> None:
        with self.deps.db.transaction() as session:
            run = session.get(Run, run_id)
            if run is None:
                return
            run.status, run.error = status, error
            run.prompt_tokens += tokens[0]
            run.completion_tokens += tokens[1]
            thread_id = run.thread_id
            if status != "interrupted":
                run.finished_at = utcnow()
        self.events.append(run_id, "run.completed", {"status": status})
        if status != "interrupted":
            self.events.forget(run_id)
            self._start_next(thread_id)

    def _start_next(self, thread_id: str) -> None:
        with self._busy:
            queue = self._queued.get(thread_id)
            if not queue:
                self._queued.pop(thread_id, None)
                return
            run_id, principal, thread, graph_input = queue.popleft()
            with self.deps.db.transaction() as session:
                run = session.get(Run, run_id)
            if run is not None:
                self._submit(run, principal, thread, graph_input)


_CITATION_KEYS = ("course_id", "lesson_id", "lesson_title", "heading", "url", "start_s")


class UsageCounter(BaseCallbackHandler):
    """Sums token usage over every model call of a run, whatever the provider reports as its name."""

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
