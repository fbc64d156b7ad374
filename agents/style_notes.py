"""Style notes from a creator's edits: what they changed in a draft before accepting it, said as a
rule the next draft can follow. Measured, not guessed — lengths, lists, the learner addressed as
"you", exclamation marks, title lengths, objectives per lesson — and only when the change is clear,
so one small fix never becomes a rule. The notes are stored per creator (`add_style_notes`) and read
back before drafting (`get_style_notes`)."""

from __future__ import annotations

import re
from typing import Any

from agents.drafts import Bindings

CLEAR = 0.25  # a length must change by a quarter to be a preference
BULLET = re.compile(r"^\s*[-*] ", re.MULTILINE)
YOU = re.compile(r"\byou(r|rs)?\b", re.IGNORECASE)


def _words(text: str) -> int:
    return len(text.split())


def from_text_edit(draft: str, final: str) -> list[str]:
    notes = []
    before, after = _words(draft), _words(final)
    if before and after <= before * (1 - CLEAR):
        notes.append(f"Keep it short: the creator cut a {before}-word draft to {after} words.")
    elif before and after >= before * (1 + CLEAR):
        notes.append(f"Go deeper: the creator grew a {before}-word draft to {after} words.")
    if len(BULLET.findall(final)) >= len(BULLET.findall(draft)) + 2:
        notes.append("Use bullet lists for steps and key points.")
    if len(YOU.findall(final)) >= len(YOU.findall(draft)) + 2:
        notes.append('Speak to the learner as "you".')
    if draft.count("!") >= 2 and final.count("!") == 0:
        notes.append("No exclamation marks.")
    return notes


def _titles(outline: dict[str, Any]) -> list[str]:
    return [lesson["title"] for m in outline.get("modules", []) for lesson in m.get("lessons", [])]


def from_outline_edit(draft: dict[str, Any], final: dict[str, Any]) -> list[str]:
    notes = []
    before, after = _titles(draft), _titles(final)
    if before and after:
        mean_before = sum(_words(t) for t in before) / len(before)
        mean_after = sum(_words(t) for t in after) / len(after)
        if mean_after <= mean_before * (1 - CLEAR):
            notes.append(f"Short lesson titles, about {round(mean_after)} words.")
        if sum(t.endswith("?") for t in after) > len(after) / 2 > sum(t.endswith("?") for t in before):
            notes.append("Lesson titles as questions.")
    objectives = [
        len(lesson.get("objectives", [])) for m in final.get("modules", []) for lesson in m.get("lessons", [])
    ]
    drafted = [len(lesson.get("objectives", [])) for m in draft.get("modules", []) for lesson in m.get("lessons", [])]
    if objectives and drafted and len(set(objectives)) == 1 and set(objectives) != set(drafted):
        notes.append(f"{objectives[0]} objective(s) per lesson.")
    return notes


def from_document_edit(draft: dict[str, Any], final: dict[str, Any]) -> list[str]:
    def text(document: dict[str, Any]) -> str:
        return "\n".join(
            str(block.get("definition") or block.get("text") or "")
            for section in document.get("sections", [])
            for block in section.get("blocks", [])
        )

    return [
        n.replace("a ", "an entry's ", 1) if n.startswith("Keep it short") else n
        for n in from_text_edit(text(draft), text(final))
    ][:2]


def learn(b: Bindings, kind: str, notes: list[str]) -> None:
    """Store what the edit said; a failure to store is never the creator's problem."""
    if notes:
        b.registry.call("add_style_notes", b.tools, {"kind": kind, "notes": notes})


def read(b: Bindings, kind: str) -> list[str]:
    result = b.registry.call("get_style_notes", b.tools, {"kind": kind})
    return list(result.output["notes"]) if result.ok and result.output else []


PROMPT = """
The creator's style notes (follow them): {notes}
"""


def for_prompt(b: Bindings, kind: str) -> str:
    """The creator's notes for this kind of draft as a prompt line, or nothing when there are none."""
    notes = read(b, kind)
    return PROMPT.format(notes=" ".join(notes)) if notes else ""
