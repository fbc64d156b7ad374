"""Word-level text helpers shared by agents, tools and evals: content words (lower-case, three or
more letters or digits, the commonest function words dropped) and their light stems, for matching a
question, a claim or a citation against course text without a model call."""

from __future__ import annotations

import re

WORD = re.compile(r"[a-z0-9]{3,}")
COMMON = frozenset(
    [
        "the",
        "and",
        "for",
        "are",
        "was",
        "with",
        "that",
        "this",
        "from",
        "not",
        "but",
        "its",
        "can",
        "has",
        "have",
        "into",
        "also",
        "when",
    ]
)


def words(text: str) -> set[str]:
    return {w for w in WORD.findall(text.lower()) if w not in COMMON}


def stems(text: str) -> set[str]:
    """Content words with a light suffix strip, so "chords built" meets "a chord is built"."""
    return {stem(word) for word in words(text)}


def stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix) and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def stem_sequence(text: str) -> list[str]:
    """Every word (function words too) lower-cased and stemmed, in order: for matching a phrase."""
    return [stem(w) for w in re.findall(r"[a-z0-9]+", text.lower())]
