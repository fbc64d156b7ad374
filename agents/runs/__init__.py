"""Runs: an agent working on a thread, executed server-side independent of any client. Every step is
written to the run's event log, so a client can leave, come back, and read everything it missed; a
finished run replays whole. Threads are checkpointed, so an interrupted run (waiting for approval)
resumes even after a restart.

Runs execute as tasks on one event loop of their own (a thread, `runs-loop`): a run waiting on its
model holds no thread, so a process carries a thousand of them. At most `workers` execute at once;
the rest wait for a slot holding nothing but a little memory. Database work and tools run on a small
executor, so the loop never waits on a lock."""

from agents.runs.core import MAX_MESSAGE_CHARS, RunDeps, RunSummary, ShuttingDown
from agents.runs.manager import RunManager
from agents.runs.usage import UsageCounter, usage_by_store

__all__ = ["MAX_MESSAGE_CHARS", "RunDeps", "RunManager", "RunSummary", "ShuttingDown", "UsageCounter", "usage_by_store"]
