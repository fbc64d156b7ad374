"""Review and save: the creator sees every email as its recipient will (rendered in the store's brand
for a sample recipient, beside its subject, preview text, call to action and day) with the claim
check's flags; an approval must confirm each unsupported promise. Approved emails become templates
and the sequence a draft workflow in the mail service: nothing is sent until the creator activates
it (`activate_workflow`, which asks again)."""

from __future__ import annotations

import re
from typing import Any

from langchain_core.runnables import RunnableConfig

from agents.drafts import Bindings, approval, ask, bound, revision, say
from agents.email_writer.sequence import mjml, subject_of, workflow_graph
from agents.email_writer.state import EmailState
from core.errors import AppError

SAVE = "create_workflow"


def tag_of(title: str) -> str:
    return ("cycle-" + re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-"))[:40]


def card(state: EmailState, course_id: str | None) -> dict[str, Any]:
    sequence = state["sequence"]
    assert sequence is not None
    day = 0
    emails = []
    for n, email in enumerate(sequence["emails"]):
        day += int(email.get("send_after_days", 0)) if n else 0
        emails.append({**email, "day": day})
    unsupported = [c["text"] for c in state.get("claims", []) if not c["supported"]]
    claims, note = state.get("claims", []), state.get("note", "")
    return {"course_id": course_id, "name": sequence["name"], "emails": emails, "claims": claims,
            "unsupported": unsupported, "trigger_tag": tag_of(state["course_title"]), "note": note}  # fmt: skip


def rendered(b: Bindings, email: dict[str, Any]) -> dict[str, Any]:
    """The email's HTML as the sample recipient gets it, or why it cannot be rendered (the card still
    shows its words, and saving would name the same problem)."""
    try:
        made = b.registry.invoke("render_mail_draft", b.tools, {"subject": subject_of(email), "body": mjml(email)})
    except AppError as exc:
        return {"html": None, "render_error": exc.detail}
    return {"html": made["html"], "render_error": None}


FIELDS = ("subject", "preview", "body", "cta", "send_after_days", "kind")


def edited_emails(given: object) -> list[dict[str, Any]] | None:
    """The creator's edit, its fields only (what the card showed beside them, like the rendered HTML,
    is dropped); None when an email has no subject or body or a delay that is not a number of days."""
    if not isinstance(given, list) or not given:
        return None
    emails = []
    for email in given:
        if not isinstance(email, dict) or not all(str(email.get(k, "")).strip() for k in ("subject", "body")):
            return None
        kept = {k: email[k] for k in FIELDS if k in email}
        try:
            days = max(0, min(60, int(kept.get("send_after_days", 0))))
        except (TypeError, ValueError):
            return None
        kind = "pitch" if kept.get("kind") == "pitch" else "nurture"
        emails.append({"preview": "", "cta": "Enroll"} | kept | {"send_after_days": days, "kind": kind})
    return emails


def review(state: EmailState, config: RunnableConfig) -> dict[str, Any]:
    b = bound(config)
    shown = card(state, b.course_id)
    shown["emails"] = [email | rendered(b, email) for email in shown["emails"]]
    choice, arguments, feedback = ask(b, SAVE, shown)
    if choice == "reject":
        return {"mode": "rejected", "sequence": None} | say("Discarded the sequence; nothing was saved.")
    if choice == "revise":
        return revision(state, feedback)
    if choice == "edit":
        emails = edited_emails(arguments.get("emails"))
        if emails is None:
            return {"mode": "checked", "note": "Each edited email needs a subject and a body; the draft is unchanged."}
        edited = {"name": str(arguments.get("name") or shown["name"]), "emails": emails}
        return {"mode": "edited", "sequence": edited, "note": "", "edited": True}
    return approval(state.get("claims", []), arguments)


def after_review(state: EmailState) -> str:
    return {"approved": "save", "revise": "draft", "edited": "check", "checked": "review"}.get(
        state.get("mode", ""), "end"
    )


def save(state: EmailState, config: RunnableConfig) -> dict[str, Any]:
    b = bound(config)
    sequence = state["sequence"]
    assert sequence is not None
    try:
        ids = []
        for n, email in enumerate(sequence["emails"], start=1):
            made = b.registry.invoke("create_mail_template", b.tools, {
                "name": f"{sequence['name']} · {n}", "subject": subject_of(email),
                "body": mjml(email),
            })  # fmt: skip
            ids.append(made["id"])
        graph = workflow_graph(ids, sequence["emails"], tag_of(state["course_title"]), str(b.course_id))
        flow = b.registry.invoke(SAVE, b.tools, {"name": sequence["name"], "graph": graph})
    except AppError as exc:
        return say(f"The sequence could not be saved: {exc.detail}") | {"mode": "failed"}
    saved = {"workflow_id": flow["id"], "template_ids": ids, "status": flow["status"]}
    text = (
        f'Saved "{sequence["name"]}": {len(ids)} email templates and a draft sequence (workflow {flow["id"]}), '
        f'started when a contact is tagged "{graph["trigger"]["tag"]}". Nothing is sent until you activate it.'
    )
    return {"mode": "saved", "saved": saved} | say(text)
