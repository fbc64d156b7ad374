"""What the model reads for one section: the section's lessons, numbered as the document's sources,
each cut to the sentences that carry its terms (definitions and bold words first), within a budget."""

from __future__ import annotations

import re
from itertools import pairwise

from agents.study_guides.state import Group

CODE = re.compile(r"```.*?```", re.DOTALL)
LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
MARKUP = re.compile(r"^#+\s*|[*_`>|]+", re.MULTILINE)
SENTENCE = re.compile(r"(?<=[.!?])\s+|\n{2,}")
DEFINING = re.compile(r"\*\*|\b(is|are|means|refers to|called|known as)\b", re.IGNORECASE)
MIN_CHARS = 20


def sentences(body_md: str) -> list[tuple[str, bool]]:
    """Plain sentences of a lesson, each with whether it defines something (read before markup is gone)."""
    text = LINK.sub(r"\1", CODE.sub(" ", body_md))
    out = []
    for raw in SENTENCE.split(text):
        plain = " ".join(MARKUP.sub("", raw).split())
        if len(plain) >= MIN_CHARS:
            out.append((plain, bool(DEFINING.search(raw))))
    return out


def excerpt(body_md: str, budget: int) -> str:
    """Defining sentences first, then the rest, in the lesson's order, until `budget` characters."""
    found = sentences(body_md)
    order = [i for i, (_, defining) in enumerate(found) if defining] + [
        i for i, (_, defining) in enumerate(found) if not defining
    ]
    kept: set[int] = set()
    spent = 0
    for i in order:
        if spent + len(found[i][0]) + 1 > budget:
            continue
        kept.add(i)
        spent += len(found[i][0]) + 1
    return " ".join(found[i][0] for i in sorted(kept))


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


def build_group(heading: str, numbers: list[int], titles: dict[int, str], bodies: dict[int, str], budget: int) -> Group:
    share = max(200, budget // max(1, len(numbers)))
    blocks = []
    for n in numbers:
        text = excerpt(bodies[n], share)
        if text:
            blocks.append(f"[{n}] ({titles[n]})\n<material>\n{text}\n</material>")
    return Group(heading=heading, sources=[n for n in numbers if excerpt(bodies[n], share)], material="\n".join(blocks))
