"""Study documents for tests, built from small parts."""

from __future__ import annotations

from typing import Any

from media.documents.model import Point, Section, Source, StudyDocument, Table, Term


def sources(count: int = 2) -> list[Source]:
    return [
        Source(n=n, lesson_id=f"lsn_{n}", title=f"Lesson {n}", url=f"http://127.0.0.1:8000/l/{n}")
        for n in range(1, count + 1)
    ]


def section(heading: str = "Cadences", **overrides: Any) -> Section:
    blocks = overrides.pop(
        "blocks",
        [
            Term(term="Authentic cadence", definition="V to I at a phrase end.", cites=[1]),
            Point(text="A deceptive cadence moves V to vi.", cites=[2]),
            Table(caption="Cadence types", columns=["Name", "Chords"], rows=[["PAC", "V-I"], ["HC", "x-V"]], cites=[1]),
        ],
    )
    return Section(heading=heading, blocks=blocks, **overrides)


def document(kind: str = "cheat_sheet", **overrides: Any) -> StudyDocument:
    values: dict[str, Any] = {
        "kind": kind,
        "title": "Music theory: cheat sheet",
        "subtitle": "Key terms and rules",
        "sections": [section()],
        "sources": sources(),
    }
    return StudyDocument(**(values | overrides))
