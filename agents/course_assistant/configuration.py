"""What a run of the course assistant can be configured with, read from the run's config
(`configurable`), as in langchain-ai/retrieval-agent-template. Defaults are what ships, measured in
`benchmarks/results/assistant.md` and `evals/reports/`."""

from __future__ import annotations

from dataclasses import dataclass, field

from agents.configuration import AgentConfiguration


@dataclass(frozen=True)
class Configuration(AgentConfiguration):
    search_limit: int = field(default=4, metadata={"description": "Passages retrieved per search."})
    passage_budget_chars: int = field(
        default=1400,
        metadata={
            "description": "Characters of passage text the answer step reads: the sentences of the retrieved "
            "passages that share most words with the question, up to this many."
        },
    )
    history_turns: int = field(default=2, metadata={"description": "Earlier exchanges the answer step sees."})
