"""What the master assistant can be configured with (`configurable`)."""

from __future__ import annotations

from dataclasses import dataclass

from agents.configuration import AgentConfiguration


@dataclass(frozen=True)
class Configuration(AgentConfiguration):
    gap_topics: int = 8  # topics of the content-gap report it reads
