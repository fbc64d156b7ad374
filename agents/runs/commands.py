"""Commands on runs: start (with `on_busy`), resume after an approval, cancel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage
from langgraph.types import Command
from sqlalchemy import select

from agents.models import Run, Thread
from agents.runs.core import ACTIVE, MAX_FEEDBACK_CHARS, MAX_MESSAGE_CHARS, Decision, OnBusy, RunCore, ShuttingDown
from core.db import utcnow
from core.errors import Conflict, invalid
from core.principal import Principal


class CommandsMixin(RunCore):
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
        self,
        principal: Principal,
        run_id: str,
        decision: Decision,
        arguments: dict[str, Any] | None = None,
        feedback: str | None = None,
    ) -> Run:
        """Go on from the approval the run waits on. `revise` (ask for changes) carries the person's
        feedback to the agent, which drafts again and asks again."""
        run = self.get_run(principal, run_id)
        if run.status != "interrupted":
            raise Conflict(f"the run is {run.status}, not waiting for approval", extra={"run_status": run.status})
        if decision == "edit" and not arguments:
            raise invalid("arguments", "an edit needs the new arguments")
        feedback = (feedback or "").strip()
        if decision == "revise" and not feedback:
            raise invalid("feedback", "asking for changes needs feedback: say what to change")
        if len(feedback) > MAX_FEEDBACK_CHARS:
            raise invalid("feedback", f"feedback is {len(feedback)} characters; keep it under {MAX_FEEDBACK_CHARS}")
        thread = self.get_thread(principal, run.thread_id)
        with self.deps.db.transaction() as session:
            stored = session.get(Run, run.id)
            assert stored is not None
            stored.status, stored.heartbeat_at = "queued", utcnow()  # fresh, or a sweep would take it as lost
        payload: dict[str, Any] = {"decision": decision, **({"arguments": arguments} if arguments else {})}
        if feedback:
            payload["feedback"] = feedback
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
