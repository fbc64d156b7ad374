"""What every agent's run can be configured with: a frozen dataclass of defaults, read from the run's
config (`configurable`) by `from_runnable_config`, as in langchain-ai/retrieval-agent-template. An
agent's `Configuration` subclasses `AgentConfiguration` and lists only its own fields."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Self

from langchain_core.runnables import RunnableConfig


@dataclass(frozen=True)
class AgentConfiguration:
    @classmethod
    def from_runnable_config(cls, config: RunnableConfig | None = None) -> Self:
        """The defaults, with whatever the run's `configurable` sets for this class's fields."""
        configurable: dict[str, Any] = (config or {}).get("configurable") or {}
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in configurable.items() if k in names})
