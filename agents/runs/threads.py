"""Threads: create, read, list, the transcript a person reads, delete."""

from __future__ import annotations

from sqlalchemy import func, select

from agents.models import Run, RunEvent, Thread
from agents.runs.core import ACTIVE, RunCore, RunSummary
from core.errors import Forbidden
from core.principal import Principal
from core.tenancy import get_in_store, in_store
from tools.courses import check_course_readable


class ThreadsMixin(RunCore):
    def create_thread(
        self, principal: Principal, agent: str, course_id: str | None, title: str = "", channel: str = "chat"
    ) -> Thread:
        definition = self.agents.get(agent)
        if not definition.allowed_for(principal):
            raise Forbidden(f"the agent '{agent}' is not offered to this account", extra={"agent": agent})
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
            thread = get_in_store(
                session, Thread, thread_id, principal, "thread", also=lambda row: row.user_id == principal.user_id
            )
            return thread

    def list_threads(self, principal: Principal, limit: int = 50) -> list[Thread]:
        with self.deps.db.transaction() as session:
            rows = session.scalars(
                select(Thread)
                .where(
                    in_store(Thread, principal),
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
            run = get_in_store(
                session, Run, run_id, principal, "run", also=lambda row: row.user_id == principal.user_id
            )
            return run
