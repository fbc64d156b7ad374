"""Wiring the agent runtime for a process: registry, chat model, retrieval, checkpoints, runs."""

from __future__ import annotations

from collections.abc import Callable

from agents.checkpoints import checkpoint_opener
from agents.events import EventLog
from agents.installed import installed
from agents.llm import make_chat_model
from agents.runs import RunDeps, RunManager
from core.db import Database
from core.settings import Settings
from rag.runtime import RetrievalRuntime
from tools.registry import build_registry


def build_run_manager(settings: Settings, db: Database, retrieval: Callable[[], RetrievalRuntime | None]) -> RunManager:
    tools = build_registry()
    deps = RunDeps(
        db=db,
        settings=settings,
        registry=tools,
        chat=lambda: make_chat_model(settings, temperature=settings.llm_temperature),
        retrieval=retrieval,
        checkpointer=checkpoint_opener(settings),
        agents=installed(tools),
    )
    return RunManager(deps, EventLog(db), workers=settings.resolved_runs_workers)
