"""What the model reads for one section: the section's lessons, numbered as the document's sources,
each cut to its labelled sentences (`S1`, `S2`, …) that best carry a term or a rule, within a budget.

The model picks entries by label and the entry's text is the lesson's own sentence: a 1.5B model asked
to write definitions wrote them from what it already knew (on ml-for-beginners most of its drafts
failed the support check), while choosing among the lesson's sentences keeps every entry in the
course's words and makes the reply a few tokens per entry."""

from __future__ import annotations

import re
from itertools import pairwise

from agents.study_guides.state import Group, Sentence

CODE = re.compile(r"```.*?```", re.DOTALL)
LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
TABLE_ROW = re.compile(r"^\s*\|.*$", re.MULTILINE)
HEADING = re.compile(r"^(#+[^\n]*)$", re.MULTILINE)
BULLET = re.compile(r"\n(?=\s*(?:[-*+]|\d+\.)\s)")
MARKUP = re.compile(r"^\s*(?:#+|[-*+]|\d+\.)\s*|[*_`>|]+", re.MULTILINE)
SENTENCE = re.compile(r"(?<=[.!?])\s+|\n{2,}")
DEFINING = re.compile(r"\*\*|\b(is|are|means|refers to|called|known as)\b", re.IGNORECASE)
NAMES_A_THING = re.compile(
    r"^(?:an?|the)?\s*[\w'().-]+(?:\s+[\w'().-]+){0,5}\s+(?:is|are|means|refers to|describes|measures)\s",
    re.IGNORECASE,
)
ASIDE = re.compile(r"\b(you|your|we|our|us|let's|lesson|quiz|assignment|click|below|above)\b", re.IGNORECASE)
ENDED = re.compile(r"[.!?][\"')\]]?$")  # a heading, a bare list item or a link has no full stop
BEGUN = re.compile(r"^[\"'“(]?[A-Z0-9]")  # "of Academic …": a fragment a split left behind
MIN_CHARS = 30


def score(raw: str, plain: str) -> int:
    """How much a sentence looks like a cheat-sheet entry: a bold term or "X is …" up, an aside to the
    reader ("you", "this lesson"), a question or an exclamation down."""
    points = 2 if "**" in raw else 0
    if NAMES_A_THING.match(plain):
        points += 2
    elif DEFINING.search(raw):
        points += 1
    if ASIDE.search(plain):
        points -= 3
    if plain.endswith(("?", "!", ":")):
        points -= 3
    return points


def sentences(body_md: str, max_chars: int = 400) -> list[tuple[str, int]]:
    """Plain sentences of a lesson up to `max_chars`, each with its score (read before markup goes)."""
    text = LINK.sub(r"\1", CODE.sub(" ", body_md))
    text = BULLET.sub("\n\n", HEADING.sub(r"\n\1\n\n", TABLE_ROW.sub("", text)))
    out = []
    for raw in SENTENCE.split(text):
        plain = " ".join(MARKUP.sub("", raw).split())
        if MIN_CHARS <= len(plain) <= max_chars and ENDED.search(plain) and BEGUN.match(plain):
            out.append((plain, score(raw, plain)))
    return out


def pick(body_md: str, budget: int, max_chars: int) -> list[str]:
    """The best-scoring sentences (none that scores below zero), in the lesson's order, until `budget`."""
    found = sentences(body_md, max_chars)
    order = sorted((i for i, (_, points) in enumerate(found) if points >= 0), key=lambda i: -found[i][1])
    kept: set[int] = set()
    spent = 0
    for i in order:
        if spent + len(found[i][0]) + 6 > budget:
            continue
        kept.add(i)
        spent += len(found[i][0]) + 6
    return [found[i][0] for i in sorted(kept)]


def group_modules(modules: list[tuple[str, list[int]]], limit: int) -> list[tuple[str, list[int]]]:
    """At most `limit` sections: when there are more modules, neighbours merge (headings joined),
    spread evenly so no section takes much more than its share."""
    modules = [(title, numbers) for title, numbers in modules if numbers]
    if len(modules) <= limit:
        return modules
    bounds = [round(i * len(modules) / limit) for i in range(limit + 1)]
    merged = []
    for start, end in pairwise(bounds):
        part = modules[start:end]
        merged.append((" / ".join(t for t, _ in part), [n for _, numbers in part for n in numbers]))
    return merged


def build_group(
    heading: str,
    numbers: list[int],
    titles: dict[int, str],
    bodies: dict[int, str],
    budget: int,
    max_chars: int = 400,
) -> Group:
    """One section's material: each lesson's picked sentences, labelled across the section."""
    share = max(200, budget // max(1, len(numbers)))
    blocks: list[str] = []
    labelled: dict[str, Sentence] = {}
    for n in numbers:
        lines = []
        for text in pick(bodies[n], share, max_chars):
            label = f"S{len(labelled) + 1}"
            labelled[label] = Sentence(n=n, text=text)
            lines.append(f"{label}: {text}")
        if lines:
            blocks.append(f"[{n}] ({titles[n]})\n<material>\n" + "\n".join(lines) + "\n</material>")
    sources = list(dict.fromkeys(s["n"] for s in labelled.values()))
    return Group(heading=heading, sources=sources, material="\n".join(blocks), sentences=labelled)
