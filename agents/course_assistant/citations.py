"""Citations: passages numbered in the order a run first sees them; `[n]` in the answer that points
at a real passage becomes a `citation` event; sentences the model left uncited get the passage that
holds at least half of their content words."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from core.text import words

CITATION = re.compile(r"\[(\d{1,2})\]")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
MIN_OVERLAP = 0.5


@dataclass
class CitationBook:
    passages: list[dict[str, Any]] = field(default_factory=list)
    _keys: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, passage: dict[str, Any]) -> int:
        key = (str(passage.get("lesson_id")), str(passage.get("text", ""))[:200])
        if key not in self._keys:
            self.passages.append(passage)
            self._keys[key] = len(self.passages)
        return self._keys[key]

    def attach_citations(self, answer: str) -> str:
        """Cite, by word overlap, each sentence the model left uncited: at least half of its content
        words must come from one passage. Small local models often drop the markers; the answer
        shown at the end is then still attributable. Sentences that already cite stay as written."""
        if not self.passages or not answer.strip():
            return answer
        vocab = [words(str(p.get("text", ""))) for p in self.passages]
        out = []
        for sentence in SENTENCE_END.split(answer.strip()):
            content = words(sentence)
            if content and not CITATION.search(sentence):
                scores = [len(content & v) / len(content) for v in vocab]
                best = max(range(len(scores)), key=scores.__getitem__)
                if scores[best] >= MIN_OVERLAP:
                    stripped = sentence.rstrip()
                    end = stripped[-1] if stripped[-1:] in ".!?" else ""
                    sentence = f"{stripped[: len(stripped) - len(end)]} [{best + 1}]{end}"
            out.append(sentence)
        return " ".join(out)

    def cited(self, answer: str) -> list[tuple[int, dict[str, Any]]]:
        """Valid citations in order of first use; numbers without a passage are ignored."""
        seen: dict[int, None] = {}
        for match in CITATION.finditer(answer):
            number = int(match.group(1))
            if 1 <= number <= len(self.passages):
                seen.setdefault(number, None)
        return [(n, self.passages[n - 1]) for n in seen]
