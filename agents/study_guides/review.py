"""Assemble, review, save: the checked sections become a typed document (claims the check did not
find in the material are left out and counted), the creator approves, edits or rejects it at an
interrupt, and an approved document is saved through `save_study_document` as a PDF artifact."""

from __future__ import annotations

from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.types import interrupt
from pydantic import ValidationError

from agents import style_notes
from agents.drafts import bound, say
from agents.event_models import ApprovalRequired
from agents.event_models import Artifact as ArtifactEvent
from agents.study_guides.drafting import LABEL
from agents.study_guides.state import StudyState
from core.errors import AppError
from tools.documents import StudyDocument

SAVE = "save_study_document"
REVIEW_ID = "review"


def assemble(state: StudyState, config: RunnableConfig) -> dict[str, Any]:
    sections: list[dict[str, Any]] = []
    for i, group in enumerate(state["groups"]):
        report = state["checks"].get(str(i), [])
        blocks = [x for x, c in zip(state["sections"].get(str(i), []), report, strict=False) if c["supported"]]
        if blocks:
            sections.append({"heading": group["heading"][:200], "blocks": blocks})
    if not sections:
        return say("No claim of the draft could be found in the course's lessons, so nothing was saved. Try again.")
    used = {n for s in sections for x in s["blocks"] for n in x["cites"]}
    kind = state["kind"]
    document = {
        "kind": kind,
        "title": f"{state['course_title']}: {LABEL[kind]}"[:200],
        "subtitle": f"Made from {len(used)} lesson(s) of the course; every entry cites its lesson.",
        "sections": sections,
        "sources": [s for s in state["sources"] if s["n"] in used],
    }
    try:
        StudyDocument.model_validate(document)
    except ValidationError as exc:
        return say(f"The draft did not form a valid document ({exc.error_count()} problem(s)); nothing was saved.")
    return {"document": document}


def _counts(state: StudyState, document: dict[str, Any]) -> tuple[int, int]:
    """The document's entries, and the drafted claims the check left out."""
    claims = sum(len(s["blocks"]) for s in document["sections"])
    left_out = sum(not c["supported"] for report in state.get("checks", {}).values() for c in report)
    return claims, left_out


def summary(state: StudyState, document: dict[str, Any], course_id: str | None) -> dict[str, Any]:
    """What the review card shows: the sections, how many entries, how many claims were left out."""
    claims, left_out = _counts(state, document)
    return {
        "course_id": course_id,
        "kind": document["kind"],
        "title": document["title"],
        "sections": [s["heading"] for s in document["sections"]],
        "planned_sections": len(state.get("groups", [])),
        "claims": claims,
        "left_out": left_out,
        "document": document,
    }


def review(state: StudyState, config: RunnableConfig) -> dict[str, Any]:
    """Pause for the creator: `approve` saves the draft, `edit` saves their version of it (the
    `document` argument), `reject` discards it."""
    b = bound(config)
    document = state["document"]
    assert document is not None
    preview = summary(state, document, b.course_id)
    b.emit(ApprovalRequired(id=REVIEW_ID, name=SAVE, arguments=preview))
    decision = interrupt({"tool_call_id": REVIEW_ID, "name": SAVE, "arguments": preview})
    choice = decision.get("decision") if isinstance(decision, dict) else None
    if choice == "reject":
        return {"document": None} | say(f"Discarded the {LABEL[state['kind']]}; nothing was saved.")
    if choice == "edit":
        edited = (decision.get("arguments") or {}).get("document")
        try:
            drafted, document = document, StudyDocument.model_validate(edited).model_dump(mode="json")
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            return {"document": None} | say(
                f"The edited document is not valid ({where}: {first['msg']}); nothing was saved."
            )
        style_notes.learn(b, "study_document", style_notes.from_document_edit(drafted, document))
    return {"document": document}


def save(state: StudyState, config: RunnableConfig) -> dict[str, Any]:
    b = bound(config)
    document = state.get("document")
    if document is None:
        return {}
    try:
        saved = b.registry.invoke(SAVE, b.tools, {"course_id": b.course_id, "document": document})
    except AppError as exc:
        return say(f"The {LABEL[state['kind']]} could not be saved: {exc.detail}")
    b.emit(
        ArtifactEvent(
            id=saved["artifact_id"],
            kind=saved["kind"],
            title=saved["title"],
            url=saved["url"],
            version=saved["version"],
        )
    )
    claims, left_out = _counts(state, document)
    note = f" {left_out} claim(s) the lessons do not state were left out." if left_out else ""
    text = (
        f"Saved the {LABEL[state['kind']]} (version {saved['version']}): {len(document['sections'])} section(s), "
        f"{claims} entries, each citing its lesson.{note} Open it: {saved['url']}"
    )
    return {"artifact": saved} | say(text)
