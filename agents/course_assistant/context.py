"""What the answer step reads of the retrieved passages.

Prompt tokens are what a learner waits for on the local model (~55 tokens/s on 2 cores: a whole
merged passage of ~350 tokens costs ~6 s), and most of a passage is not about the question. So the
answer step gets, from each passage in rank order, the sentences that share most content words with
the question, until a character budget is spent; each passage keeps at least its best sentence,
the sentence after a kept one comes next while the budget lasts; kept sentences stay in their order,
and a cut is marked with "…". Passages that fit whole are shown whole; passages left with nothing are
not shown (and get no number)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from core.text import stems as _stems

SENTENCE = re.compile(r"(?<=[.!?:])\s+|\n+")
LEAD_BONUS = 0.25  # a section's first sentence often defines its subject
# A markdown table row (cells of ingredient or column names) shares words with almost any question
# and tells the model nothing; it counts for a quarter (the sourdough question met "white_bread").
TABLE_WEIGHT = 0.25
TABLE_CELLS = 4
MIN_SENTENCE_CHARS = 12


@dataclass(frozen=True)
class Fitted:
    passage: dict[str, Any]
    text: str


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE.split(text) if len(s.strip()) >= MIN_SENTENCE_CHARS]


def _clip(sentence: str, limit: int) -> str:
    if len(sentence) <= limit:
        return sentence
    return sentence[:limit].rsplit(" ", 1)[0] + " …"


def fit_passages(passages: list[dict[str, Any]], question: str, budget: int) -> list[Fitted]:
    if sum(len(str(p.get("text", ""))) + 1 for p in passages) <= budget:
        return [Fitted(p, str(p.get("text", "")).strip()) for p in passages if str(p.get("text", "")).strip()]
    asked = _stems(question)
    scored: list[tuple[float, int, int, str]] = []  # (score, passage rank, position, sentence)
    split = [_sentences(str(p.get("text", ""))) for p in passages]
    for rank, sentences in enumerate(split):
        for position, sentence in enumerate(sentences):
            overlap = len(asked & _stems(sentence)) / max(1, len(asked))
            if sentence.count("|") >= TABLE_CELLS:
                overlap *= TABLE_WEIGHT
            scored.append((overlap + (LEAD_BONUS if position == 0 else 0.0), rank, position, sentence))
    chosen: dict[int, dict[int, str]] = {}
    spent = 0
    per_passage_cap = max(80, budget // 2)
    # Each passage's best sentence first (in rank order), then the best of the rest, globally.
    best: dict[int, tuple[float, int, int, str]] = {}
    for item in sorted(scored, key=lambda x: (-x[0], x[1], x[2])):
        best.setdefault(item[1], item)
    order = [best[r] for r in sorted(best)] + sorted(
        (x for x in scored if best.get(x[1]) is not x), key=lambda x: (-x[0], x[1], x[2])
    )
    for score, rank, position, sentence in order:
        if spent >= budget:
            break
        if score <= 0 and rank in chosen:
            continue  # a sentence that shares nothing with the question only fills space
        text = _clip(sentence, min(per_passage_cap, budget - spent))
        if len(text) < MIN_SENTENCE_CHARS:
            continue
        chosen.setdefault(rank, {})[position] = text
        spent += len(text) + 1
    # What is left goes to the sentence after each kept one (a definition often runs on).
    for rank in sorted(chosen):
        for position in sorted(chosen[rank]):
            following = position + 1
            if following < len(split[rank]) and following not in chosen[rank]:
                text = split[rank][following]
                if spent + len(text) + 1 <= budget:
                    chosen[rank][following] = text
                    spent += len(text) + 1
    fitted = []
    for rank in sorted(chosen):
        kept = chosen[rank]
        parts, previous = [], -1
        for position in sorted(kept):
            if previous >= 0 and position != previous + 1:
                parts.append("…")
            parts.append(kept[position])
            previous = position
        fitted.append(Fitted(passages[rank], " ".join(parts)))
    return fitted
