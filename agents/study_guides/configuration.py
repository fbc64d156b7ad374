"""What a study-guide run can be configured with (`configurable`), per document kind. The local
model's window is 4,096 tokens, so a document is drafted one section at a time from at most
`material_chars` of its lessons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from agents.configuration import AgentConfiguration

Kind = Literal["cheat_sheet", "reference_guide"]


@dataclass(frozen=True)
class Configuration(AgentConfiguration):
    max_sections: int = 8  # a cheat sheet; a reference guide takes one section per module up to 40
    material_chars: int = 2400  # lesson sentences the model reads per section (~700 prompt tokens)
    cheat_sheet_entries: int = 6
    guide_entries: int = 10
    max_rounds: int = 1  # revisions of a section whose claims the check did not find in the material
    support_threshold: float = 0.6  # share of a claim's content words found in its cited material
    model_check: bool = True  # also ask the model whether the material states each claim

    def entries(self, kind: Kind) -> int:
        return self.cheat_sheet_entries if kind == "cheat_sheet" else self.guide_entries

    def sections(self, kind: Kind) -> int:
        return self.max_sections if kind == "cheat_sheet" else 40
