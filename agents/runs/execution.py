"""Executing a run: a slot, the agent's graph streamed on the run loop, its events, its end."""

from __future__ import annotations

import asyncio
import logging
import threading
from contextlib import aclosing
from functools import partial
from typing import Any

from langchain_core.messages import AIMessageChunk
from sqlalchemy import ColumnElement, update

from agents.event_models import Error, MessageDelta, RunCompleted, RunStarted, Usage
from agents.models import Run, Thread
from agents.registry import RunSetup, default_finish
from agents.runs.core import FINISHED, PRUNE_AT, RunCore
from agents.runs.usage import UsageCounter
from core.db import utcnow
from core.errors import AppError
from core.principal import Principal
from tools.base import ToolContext

log = logging.getLogger("academy.runs")


class ExecutionMixin(RunCore):
    def _submit(self, run: Run, principal: Principal, thread: Thread, graph_input: Any) -> None:
        if len(self._futures) > 2 * PRUNE_AT:
            for done in [key for key, future in list(self._futures.items()) if future.done()][:PRUNE_AT]:
                self._futures.pop(done, None)
                self._cancel.pop(done, None)
        self._cancel[run.id] = threading.Event()
        self._futures[run.id] = self._on_loop(self._execute(run.id, principal, thread, graph_input))

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
            self.events.emit(run_id, Error.model_validate(data))
            self.events.emit(run_id, RunCompleted(status="failed"))  # its streams still end

    async def _execute_now(self, run_id: str, principal: Principal, thread: Thread, graph_input: Any) -> None:
        events, deps = self.events, self.deps
        io = asyncio.get_running_loop().run_in_executor
        cancelled = self._cancel[run_id]
        if cancelled.is_set():  # cancelled while it waited for a slot
            await io(None, self._finish, run_id, "cancelled")
            return
        if not await io(None, self._mark_running, run_id):
            return  # finished while it waited for a slot (cancelled)
        events.emit(run_id, RunStarted(run_id=run_id, thread_id=thread.id, agent=thread.agent))
        try:
            definition = self.agents.get(thread.agent)
            model = await io(None, deps.chat)  # the first call may start the local model server
            retrieval = await io(None, deps.retrieval)
            ctx = ToolContext(
                db=deps.db, principal=principal, settings=deps.settings, retrieval=retrieval, run_id=run_id
            )
            setup = RunSetup(
                run_id=run_id,
                thread_id=thread.id,
                course_id=thread.course_id,
                principal=principal,
                chat=model.chat,
                native_tools=model.capabilities.native_tool_calls,
                registry=deps.registry,
                tools=ctx,
                agent_tools=definition.tools,
                on_event=lambda event: events.emit(run_id, event),
            )
            prepared = definition.prepare(setup)
            graph = self.agents.graph(definition, await self._saver())
            usage = UsageCounter()
            configurable = {**prepared.configurable, "thread_id": thread.id}
            config: dict[str, Any] = {"configurable": configurable, "callbacks": [usage]}
            task = asyncio.current_task()
            assert task is not None
            self._tasks[run_id] = task
            try:
                if not cancelled.is_set():
                    # subgraphs: an agent made of other agents (the master) streams their answers too
                    stream = graph.astream(graph_input, config, stream_mode="messages", subgraphs=True)
                    async with aclosing(stream):
                        async for _namespace, (chunk, meta) in stream:
                            streamed = isinstance(chunk, AIMessageChunk) and isinstance(chunk.content, str)
                            if streamed and chunk.content and meta.get("langgraph_node") in definition.answer_nodes:
                                events.emit(run_id, MessageDelta(text=chunk.content))
            except asyncio.CancelledError:
                if not cancelled.is_set():
                    raise  # the loop itself is going away
                task.uncancel()
            finally:
                self._tasks.pop(run_id, None)
            tokens = (usage.prompt_tokens, usage.completion_tokens)
            if cancelled.is_set():
                await io(None, self._finish, run_id, "cancelled", None, tokens)
                return
            state = await graph.aget_state(config)
            if state.next:
                await io(None, self._finish, run_id, "interrupted", None, tokens)
                return
            finish = prepared.finish or default_finish  # on the executor: it may record through a tool
            for event in await io(None, finish, dict(state.values)):
                events.emit(run_id, event)
            events.emit(run_id, Usage(prompt_tokens=tokens[0], completion_tokens=tokens[1]))
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
            self.events.emit(run_id, Error.model_validate(notice))
        self.events.emit(run_id, RunCompleted.model_validate({"status": status}))
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
