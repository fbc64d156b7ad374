"""Token usage: summed per run by our own callback, and per store for its owner."""

from __future__ import annotations

import threading
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.outputs import ChatGeneration, LLMResult
from sqlalchemy import func, select

from agents.models import Run
from core.db import Database
from core.tenancy import in_store


class UsageCounter(BaseCallbackHandler):
    """Sums token usage over every model call of a run, whatever the provider reports as its name."""

    run_inline = True  # called on the run loop itself, not handed to an executor

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
            ).where(in_store(Run, store_id))
        ).one()
    return {"runs": int(runs), "prompt_tokens": int(prompt), "completion_tokens": int(completion)}
