"""What the master assistant can be configured with (`configurable`)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from langchain_core.runnables import RunnableConfig


@dataclass(frozen=True)
class Configuration:
    gap_topics: int = 8  # topics of the content-gap report it reads

    @classmethod
    def from_runnable_config(cls, config: RunnableConfig | None = None) -> Configuration:
        configurable: dict[str, Any] = (config or {}).get("configurable") or {}
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in configurable.items() if k in names})
