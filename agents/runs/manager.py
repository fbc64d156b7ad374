"""The run manager: one per process, composed of its concerns."""

from __future__ import annotations

from agents.runs.commands import CommandsMixin
from agents.runs.execution import ExecutionMixin
from agents.runs.lifecycle import LifecycleMixin
from agents.runs.threads import ThreadsMixin


class RunManager(ThreadsMixin, CommandsMixin, LifecycleMixin, ExecutionMixin):
    """Threads, commands, lifecycle and execution of agent runs (see `agents/runs/__init__.py`)."""
