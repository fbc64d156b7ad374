"""What an email-writer run can be configured with (`configurable`)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from langchain_core.runnables import RunnableConfig


@dataclass(frozen=True)
class Configuration:
    default_emails: int = 5  # a course cycle: nurture, then pitch
    max_emails: int = 8
    material_chars: int = 1600
    lessons_read: int = 4
    max_rounds: int = 1  # drafted again when the claim check finds unsupported promises

    @classmethod
    def from_runnable_config(cls, config: RunnableConfig | None = None) -> Configuration:
        configurable: dict[str, Any] = (config or {}).get("configurable") or {}
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in configurable.items() if k in names})
