"""Gather, draft, check: the course's own words as material, one constrained-JSON draft per email
(nurture from its own lesson, pitch from what the course covers), and the claim check on every
email (a draft with unsupported promises is drafted again once, told which). Then the emails as
templates (MJML in the store's brand, the creator's words escaped, never code) and the sequence as a
workflow graph: each email after its delay, and before every pitch a check that leaves anyone
already enrolled in the course out of it."""

from __future__ import annotations

import re
from html import escape
from typing import Any

from langchain_core.runnables import RunnableConfig

from agents.drafts import after_check as next_step
from agents.drafts import bound, checked_claims, course_material, drop_repeats, json_reply, last_request, say
from agents.email_writer.configuration import Configuration
from agents.email_writer.prompts import SYSTEM, email_prompt
from agents.email_writer.state import EmailState
from agents.event_models import MessageDelta

COUNT = re.compile(r"\b(\d{1,2})[- ]?(?:emails?|mails?|messages?|parts?|steps?)\b", re.IGNORECASE)
DAY = 86_400


def emails_asked(message: str, conf: Configuration) -> int:
    match = COUNT.search(message)
    return max(2, min(conf.max_emails, int(match.group(1)))) if match else conf.default_emails


def email_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "subject": {"type": "string", "minLength": 3, "maxLength": 80},
            "preview": {"type": "string", "maxLength": 120},
            "body": {"type": "string", "minLength": 40, "maxLength": 1500},
            "cta": {"type": "string", "minLength": 2, "maxLength": 40},
            "send_after_days": {"type": "integer", "minimum": 0, "maximum": 14},
        },
        "required": ["subject", "preview", "body", "cta", "send_after_days"],
        "additionalProperties": False,
    }


def sequence_schema(count: int) -> dict[str, Any]:
    """The whole sequence's shape (what the review card holds)."""
    return {
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 3, "maxLength": 80},
            "emails": {"type": "array", "items": email_schema(), "minItems": count, "maxItems": count},
        },
        "required": ["name", "emails"],
        "additionalProperties": False,
    }


def pitches(count: int) -> int:
    """How many of a sequence's emails pitch (the last ones): one of two, two of three or more."""
    return min(2, count - 1)


def gather(state: EmailState, config: RunnableConfig) -> dict[str, Any]:
    b, conf = bound(config), Configuration.from_runnable_config(config)
    if b.course_id is None:
        return say("Choose a course first: a sequence sells one course.") | {"mode": "ended"}
    brief = last_request(dict(state))
    count = emails_asked(brief, conf)
    lessons = max(conf.lessons_read, count - pitches(count))
    outline, material = course_material(b, lessons, conf.material_chars // conf.lessons_read)
    if not material:
        return say("This course has no lesson text yet, so there is nothing an email could promise.") | {
            "mode": "ended"
        }
    b.emit(MessageDelta(text=f"Writing a {count}-email sequence for {outline['title']}.\n"))
    covers = "; ".join(m["title"] for m in outline["modules"][:12])
    return {"brief": brief, "count": count, "course_title": outline["title"], "lessons": material,
            "covers": covers, "sequence": None, "claims": [], "problems": [], "feedback": [], "rounds": 0,
            "mode": "drafting", "note": "", "saved": None}  # fmt: skip


def draft(state: EmailState, config: RunnableConfig) -> dict[str, Any]:
    """One email at a time: each nurture email teaches from its own lesson, each pitch from what the
    course covers, told the subjects already used. Asked for the whole sequence in one reply, the
    local model wrote the same email three and four times over (the marketing eval, 2026-12-05)."""
    b = bound(config)
    notes = [*state.get("problems", []), *state.get("feedback", [])]
    count, lessons = state["count"], state["lessons"]
    nurture = count - pitches(count)
    emails: list[dict[str, Any]] = []
    for n in range(count):
        kind = "nurture" if n < nurture else "pitch"
        source = lessons[n % len(lessons)] if kind == "nurture" else state["covers"]
        said = [e["subject"] for e in emails]
        prompt = email_prompt(state["course_title"], source, state["brief"], n + 1, count, kind, said, notes)
        got = json_reply(b.chat, SYSTEM, prompt, email_schema(), 700)
        if got.get("body"):
            subject = fresh_subject(str(got.get("subject", "")), said, source, kind, state["course_title"], n)
            emails.append({**got, "subject": subject, "body": drop_repeats(str(got["body"]))[0], "kind": kind})
            b.emit(MessageDelta(text=f"Email {n + 1} of {count}: {got.get('subject', '')}\n"))
    if not emails:
        return say("The model did not write a usable sequence; nothing was saved. Try again.") | {"mode": "ended"}
    note = "" if len(emails) == count else f"The model wrote {len(emails)} of the {count} emails asked for."
    sequence = {"name": f"{state['course_title']} · course cycle"[:80], "emails": emails}
    return {"sequence": sequence, "rounds": state.get("rounds", 0) + 1, "mode": "drafted", "note": note}


def fresh_subject(subject: str, said: list[str], source: str, kind: str, course: str, n: int) -> str:
    """The model's subject, or, when it repeats one already used (told not to, the local model gave
    three emails one subject), the lesson's title for a nurture email and a plain invitation for a
    pitch: a reader's inbox must tell the emails apart."""
    if subject.strip().lower() not in {x.strip().lower() for x in said}:
        return subject
    if kind == "nurture":
        return source.split(": ", 1)[0][:80]
    return (f"Ready to start {course}?" if n % 2 else f"Join {course} today")[:80]


def copy_of(sequence: dict[str, Any]) -> str:
    return "\n".join(f"{e['subject']}.\n{e['body']}" for e in sequence["emails"])


def check(state: EmailState, config: RunnableConfig) -> dict[str, Any]:
    b = bound(config)
    sequence = state["sequence"]
    assert sequence is not None
    claims = checked_claims(b, copy_of(sequence))
    problems = [f'the course does not hold: "{c["text"]}" ({c["reason"]})' for c in claims if not c["supported"]]
    return {"claims": claims, "problems": problems, "mode": "checked"}


def after_check(state: EmailState, config: RunnableConfig) -> str:
    return next_step(state, Configuration.from_runnable_config(config).max_rounds)


# The system's own fonts: no web font to fetch, so opening the mail tells no font host about the reader.
FONTS = '<mj-attributes><mj-all font-family="-apple-system, Segoe UI, Helvetica, Arial, sans-serif" /></mj-attributes>'


def subject_of(email: dict[str, Any]) -> str:
    """The subject as a template: the creator's words, never code."""
    return "{% raw %}" + str(email["subject"]) + "{% endraw %}"


def mjml(email: dict[str, Any]) -> str:
    """An email as an MJML template in the store's brand: the creator's words are escaped and kept
    out of Jinja (`raw`), so a brace in them is text, never code."""

    def words(text: str) -> str:
        return "{% raw %}" + escape(text) + "{% endraw %}"

    paragraphs = "".join(
        f'<mj-text font-size="16px" line-height="1.5">{words(p.strip())}</mj-text>'
        for p in str(email["body"]).split("\n")
        if p.strip()
    )
    return (
        f"<mjml><mj-head><mj-preview>{words(str(email.get('preview', '')))}</mj-preview>{FONTS}</mj-head>"
        '<mj-body background-color="#f6f6f4"><mj-section background-color="#ffffff"><mj-column>'
        '<mj-text font-size="20px" font-weight="bold" color="{{ store.color }}">{{ store.name }}</mj-text>'
        "<mj-text font-size=\"16px\">Hi {{ contact.first_name or 'there' }},</mj-text>"
        f"{paragraphs}"
        '<mj-button background-color="{{ store.color }}" href="{{ store.url }}">'
        f"{words(str(email['cta']))}</mj-button>"
        '<mj-text font-size="12px" color="#777777"><a href="{{ unsubscribe_url }}">Unsubscribe</a></mj-text>'
        "</mj-column></mj-section></mj-body></mjml>"
    )


def workflow_graph(template_ids: list[str], emails: list[dict[str, Any]], tag: str, course_id: str) -> dict[str, Any]:
    """Each email after its delay; before each pitch, anyone enrolled in the course leaves."""
    nodes: dict[str, Any] = {}
    order: list[str] = []
    for n, (template_id, email) in enumerate(zip(template_ids, emails, strict=True), start=1):
        days = int(email.get("send_after_days", 0))
        if days and n > 1:
            nodes[f"wait-{n}"] = {"type": "delay", "seconds": days * DAY, "next": ""}
            order.append(f"wait-{n}")
        if email.get("kind") == "pitch":
            enrolled = {"rule": "enrolled", "course_id": course_id}
            nodes[f"bought-{n}"] = {"type": "condition", "rule": enrolled, "yes": "end", "no": ""}
            order.append(f"bought-{n}")
        nodes[f"email-{n}"] = {"type": "send_email", "template_id": template_id, "next": ""}
        order.append(f"email-{n}")
    for here, there in zip(order, [*order[1:], "end"], strict=True):
        key = "no" if nodes[here]["type"] == "condition" else "next"
        nodes[here][key] = there
    nodes["end"] = {"type": "exit"}
    return {"trigger": {"type": "tag_added", "tag": tag}, "start": order[0], "nodes": nodes}
