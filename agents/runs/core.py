"""The run manager's shared state and the helpers every concern uses: the run loop, a thread's own
lock, and cancellation signals. The concerns are mixins over this state (`threads.py`,
`commands.py`, `lifecycle.py`, `execution.py`), composed in `manager.py`."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import defaultdict, deque
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from agents.checkpoints import Checkpoints, Opener
from agents.events import EventLog
from agents.llm import ChatModel
from agents.models import Run, Thread
from agents.registry import AgentRegistry
from core.db import Database
from core.errors import AppError
from core.principal import Principal
from core.settings import Settings
from rag.runtime import RetrievalRuntime
from tools.base import Registry

log = logging.getLogger("academy.runs")
ACTIVE = ("queued", "running", "interrupted")
FINISHED = ("completed", "failed", "cancelled")
Decision = Literal["approve", "edit", "revise", "reject"]  # revise: ask for changes, with feedback
MAX_FEEDBACK_CHARS = 4000
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
    agents: AgentRegistry  # handed in (agents.installed), never looked up from here


@dataclass
class RunSummary:
    run: Run
    answer: str = ""
    citations: list[dict[str, Any]] = field(default_factory=list)
    approval: dict[str, Any] | None = None
    error: str | None = None
    last_event_id: int = 0


class RunCore:
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

    @property
    def agents(self) -> AgentRegistry:
        return self.deps.agents

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

    def _signal_cancel(self, run_id: str) -> None:
        """The run stops now: its flag is set, and the task is cancelled where it waits (the model,
        a tool); a run that has not started sees the flag when it gets a slot."""
        self._cancel.setdefault(run_id, threading.Event()).set()
        task, loop = self._tasks.get(run_id), self._loop
        if task is not None and loop is not None:
            loop.call_soon_threadsafe(task.cancel)

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

    # Provided by the concerns (declared here so each mixin may call the others).
    def get_thread(self, principal: Principal, thread_id: str) -> Thread:
        raise NotImplementedError

    def get_run(self, principal: Principal, run_id: str) -> Run:
        raise NotImplementedError

    def thread_runs(self, principal: Principal, thread_id: str) -> list[Run]:
        raise NotImplementedError

    def _submit(self, run: Run, principal: Principal, thread: Thread, graph_input: Any) -> None:
        raise NotImplementedError

    def _finish(
        self,
        run_id: str,
        status: str,
        error: str | None = None,
        tokens: tuple[int, int] = (0, 0),
        notice: dict[str, Any] | None = None,
        only: Any = None,
    ) -> bool:
        raise NotImplementedError
