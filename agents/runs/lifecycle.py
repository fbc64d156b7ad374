"""A run's life beyond one request: waiting, heartbeats, the sweep of runs a dead process left,
recovery at start-up, and draining at shutdown."""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent import futures as cf
from datetime import timedelta

from sqlalchemy import ColumnElement, select, update

from agents.models import Run
from agents.runs.core import STALE_SECONDS, RunCore
from core.db import utcnow

log = logging.getLogger("academy.runs")


class LifecycleMixin(RunCore):
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


async def _settle_tasks() -> None:
    """Cancel every other task on the run loop and wait until each has ended, so none is left
    pending when the loop stops."""
    others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in others:
        task.cancel()
    await asyncio.gather(*others, return_exceptions=True)
