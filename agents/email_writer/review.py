"""Review and save: the creator sees every email as its recipient will (subject, preview, body, call to
action, when it goes) with the claim check's flags; an approval must confirm each unsupported
promise. Approved emails become templates and the sequence a draft workflow in the mail service:
nothing is sent until the creator activates it (`activate_workflow`, which asks again)."""

from __future__ import annotations

import re
from typing import Any

from langchain_core.runnables import RunnableConfig

from agents.drafts import approval, ask, bound, revision, say
from agents.email_writer.sequence import mjml, workflow_graph
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


def review(state: EmailState, config: RunnableConfig) -> dict[str, Any]:
    b = bound(config)
    shown = card(state, b.course_id)
    choice, arguments, feedback = ask(b, SAVE, shown)
    if choice == "reject":
        return {"mode": "rejected", "sequence": None} | say("Discarded the sequence; nothing was saved.")
    if choice == "revise":
        return revision(state, feedback)
    if choice == "edit" and isinstance(arguments.get("emails"), list) and arguments["emails"]:
        edited = {"name": str(arguments.get("name") or shown["name"]), "emails": arguments["emails"]}
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
                "name": f"{sequence['name']} · {n}", "subject": "{% raw %}" + email["subject"] + "{% endraw %}",
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
