"""Runs: an agent working on a thread, executed server-side in a worker pool, independent of any
client. Every step is written to the run's event log, so a client can leave, come back, and read
everything it missed; a finished run replays whole. Threads are checkpointed, so an interrupted
run (waiting for approval) resumes even after a restart."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from langgraph.types import Command
from sqlalchemy import func, select

from agents import course_assistant
from agents.events import EventLog
from agents.graph import ToolEvent, build_graph
from agents.llm import ChatModel
from agents.models import Run, Thread
from core.db import Database, utcnow
from core.errors import Conflict, NotFound, invalid
from core.principal import Principal
from core.settings import Settings
from rag.runtime import RetrievalRuntime
from tools.base import Registry, ToolContext

log = logging.getLogger("academy.runs")
AGENTS = {course_assistant.NAME}
ACTIVE = ("queued", "running", "interrupted")
Decision = Literal["approve", "edit", "reject"]


@dataclass
class RunDeps:
    db: Database
    settings: Settings
    registry: Registry
    chat: Callable[[], ChatModel]
    retrieval: Callable[[], RetrievalRuntime | None]
    checkpointer: Any


class RunManager:
    def __init__(self, deps: RunDeps, events: EventLog, workers: int = 2) -> None:
        self.deps = deps
        self.events = events
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="run")
        self._futures: dict[str, Future[None]] = {}
        self._cancel: dict[str, threading.Event] = {}

    # --- threads ---------------------------------------------------------------------------

    def create_thread(self, principal: Principal, agent: str, course_id: str | None, title: str = "") -> Thread:
        if agent not in AGENTS:
            raise invalid("agent", f"unknown agent; choose one of {', '.join(sorted(AGENTS))}")
        with self.deps.db.transaction() as session:
            thread = Thread(
                store_id=principal.require_store(),
                user_id=principal.user_id,
                agent=agent,
                course_id=course_id,
                title=title,
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

    def get_run(self, principal: Principal, run_id: str) -> Run:
        with self.deps.db.transaction() as session:
            run = session.get(Run, run_id)
            if run is None or run.store_id != principal.store_id or run.user_id != principal.user_id:
                raise NotFound(f"run '{run_id}' not found")
            return run

    # --- runs ------------------------------------------------------------------------------

    def start(self, principal: Principal, thread_id: str, message: str) -> Run:
        thread = self.get_thread(principal, thread_id)
        if not message.strip():
            raise invalid("message", "must not be empty")
        with self.deps.db.transaction() as session:
            busy = session.scalar(select(Run.id).where(Run.thread_id == thread.id, Run.status.in_(ACTIVE)))
            if busy is not None:
                raise Conflict(f"the thread has a run in progress ({busy})", extra={"run_id": busy})
            run = Run(
                thread_id=thread.id,
                store_id=thread.store_id,
                user_id=principal.user_id,
                agent=thread.agent,
                message=message,
            )
            session.add(run)
            session.flush()
        graph_input = {"messages": [HumanMessage(message)], "tool_rounds": 0}
        self._submit(run, principal, thread, graph_input)
        return run

    def resume(
        self, principal: Principal, run_id: str, decision: Decision, arguments: dict[str, Any] | None = None
    ) -> Run:
        run = self.get_run(principal, run_id)
        if run.status != "interrupted":
            raise Conflict(f"the run is {run.status}, not waiting for approval", extra={"status": run.status})
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
            raise Conflict(f"the run is already {run.status}", extra={"status": run.status})
        self._cancel.setdefault(run_id, threading.Event()).set()
        if run.status == "interrupted":
            self._finish(run.id, "cancelled")
        return self.get_run(principal, run_id)

    def wait(self, run_id: str, timeout: float = 60.0) -> None:
        future = self._futures.get(run_id)
        if future is not None:
            future.result(timeout=timeout)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)

    # --- execution -------------------------------------------------------------------------

    def _submit(self, run: Run, principal: Principal, thread: Thread, graph_input: Any) -> None:
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
            self._record_usage(run_id, prompt_tokens, completion_tokens)
            if cancelled.is_set():
                self._finish(run_id, "cancelled")
                return
            state = graph.get_state(config)
            if state.next:
                self._finish(run_id, "interrupted")
                return
            answer = next(
                (m.content for m in reversed(state.values["messages"]) if isinstance(m, AIMessage) and m.content), ""
            )
            text = book.attach_citations(answer if isinstance(answer, str) else "")
            events.append(run_id, "message.completed", {"text": text})
            for number, passage in book.cited(text):
                events.append(run_id, "citation", {"n": number, **{k: passage.get(k) for k in _CITATION_KEYS}})
            events.append(run_id, "usage", {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens})
            self._finish(run_id, "completed")
        except Exception as exc:
            log.exception("run %s failed", run_id)
            events.append(run_id, "error", {"message": f"the agent failed: {type(exc).__name__}: {exc}"[:500]})
            self._finish(run_id, "failed", str(exc)[:2000])

    def _record_usage(self, run_id: str, prompt_tokens: int, completion_tokens: int) -> None:
        with self.deps.db.transaction() as session:
            run = session.get(Run, run_id)
            if run is not None:
                run.prompt_tokens += prompt_tokens
                run.completion_tokens += completion_tokens

    def _finish(self, run_id: str, status: str, error: str | None = None) -> None:
        with self.deps.db.transaction() as session:
            run = session.get(Run, run_id)
            if run is None:
                return
            run.status, run.error = status, error
            if status != "interrupted":
                run.finished_at = utcnow()
        self.events.append(run_id, "run.completed", {"status": status})


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
