"""The email writer on the scripted model over a real index: a sequence drafted, its promises
checked, approved (unsupported ones confirmed), saved as templates in the store's brand and a draft
sequence that leaves buyers out of the pitch; rejected, nothing is saved."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from core.db import Database
from core.settings import Settings
from mail import library
from mail.models import MailTemplate
from mail.workflows.models import MailWorkflow
from tests.agent_fixtures import indexed_store, start_agent
from tests.agents.video_scripter.test_graph import CADENCES
from tests.conftest import StoreWorld
from tests.scripted_model import ScriptedChatModel


def email(subject: str, body: str, kind: str = "nurture", days: int = 2) -> dict[str, Any]:
    return {"subject": subject, "preview": "A minute on cadences", "body": body, "cta": "Start learning",
            "send_after_days": days, "kind": kind}  # fmt: skip


NURTURE = [
    email("Why phrases come to rest", "A cadence ends a phrase.\n{{ not code }}", days=0),
    email("The authentic cadence", "The authentic cadence moves from the dominant to the tonic."),
    email("Open endings", "The half cadence ends on the dominant and leaves the phrase open."),
]  # fmt: skip
PITCH = [email("Join the course", "Learn the authentic cadence and the half cadence, step by step.", "pitch", 2)]
UNHELD = [email("Join the course", "Master vocal mixing with compression and reverb.", "pitch", 2)]


def sequence(emails: list[dict[str, Any]]) -> list[str]:
    """The model's replies for a sequence: one email each (its kind is the agent's, by place)."""
    return [json.dumps({k: v for k, v in e.items() if k != "kind"}) for e in emails]


@pytest.fixture
def course(db: Database, store_a: StoreWorld, tmp_path: Path) -> Iterator[tuple[StoreWorld, Any]]:
    yield from indexed_store(db, store_a, CADENCES, tmp_path / "index")


def start(db: Database, settings: Settings, course: tuple[StoreWorld, Any], replies: list[str],
          message: str = "Write a 4-email nurture sequence for this course") -> tuple[Any, Any, ScriptedChatModel]:  # fmt: skip
    return start_agent(db, settings, course, "email_writer", replies, message)


def card(m: Any, run_id: str) -> dict[str, Any]:
    return dict([e for e in m.events.replay(run_id) if e.type == "approval.required"][-1].data["arguments"])


def test_an_approved_sequence_is_saved_as_templates_and_a_draft_that_spares_buyers(
    db: Database, settings: Settings, course: tuple[StoreWorld, Any]
) -> None:
    world, _ = course
    m, run, model = start(db, settings, course, sequence([*NURTURE, *PITCH]))
    shown = card(m, run.id)
    assert [e["day"] for e in shown["emails"]] == [0, 2, 4, 6] and shown["unsupported"] == []
    asked = [str(call["messages"][-1].content) for call in model.calls]
    assert "Write email 1 of 4, a nurture email" in asked[0] and "Write email 4 of 4, a pitch email" in asked[3]
    assert "Subjects already used (say something new): Why phrases come to rest" in asked[1]
    assert [e["kind"] for e in shown["emails"]] == ["nurture", "nurture", "pitch", "pitch"]  # by place
    m.resume(world.owner, run.id, "approve")
    m.wait(run.id)
    final = next(e for e in m.events.replay(run.id) if e.type == "message.completed").data["text"]
    assert "Nothing is sent until you activate it" in final
    with db.transaction() as s:
        flow = s.scalars(select(MailWorkflow)).one()
        templates = list(s.scalars(select(MailTemplate).order_by(MailTemplate.name)))
        assert flow.status == "draft" and len(templates) == 4
        nodes = flow.graph["nodes"]
        assert nodes["bought-4"]["rule"] == {"rule": "enrolled", "course_id": world.course_id, "negate": False}
        assert nodes["bought-4"]["yes"] == "end" and nodes["bought-4"]["no"] == "email-4" and "bought-3" in nodes
        assert flow.graph["trigger"]["type"] == "tag_added"
        shown_mail = library.preview(s, world.owner, settings, templates[0].id)
    assert "{{ not code }}" in shown_mail.text and "A cadence ends a phrase." in shown_mail.text


def test_an_unsupported_promise_is_revised_then_must_be_confirmed(
    db: Database, settings: Settings, course: tuple[StoreWorld, Any]
) -> None:
    world, _ = course
    m, run, model = start(db, settings, course, [*sequence([*NURTURE, *UNHELD]), *sequence([*NURTURE, *UNHELD])])
    assert "the course does not hold" in str(model.calls[4]["messages"][-1].content)  # the redraft's first email
    unsupported = card(m, run.id)["unsupported"]
    assert unsupported == ["Master vocal mixing with compression and reverb."]
    m.resume(world.owner, run.id, "approve")
    m.wait(run.id)
    assert "Confirm each promise" in card(m, run.id)["note"]
    m.resume(world.owner, run.id, "approve", {"confirmed": unsupported})
    m.wait(run.id)
    with db.transaction() as s:
        assert s.scalars(select(MailWorkflow)).one().status == "draft"


def test_a_rejected_sequence_saves_nothing(db: Database, settings: Settings, course: tuple[StoreWorld, Any]) -> None:
    world, _ = course
    m, run, _ = start(db, settings, course, sequence([*NURTURE, *PITCH]))
    m.resume(world.owner, run.id, "reject")
    m.wait(run.id)
    with db.transaction() as s:
        assert s.scalars(select(MailWorkflow)).first() is None and s.scalars(select(MailTemplate)).first() is None


def test_an_edited_sequence_is_shown_again_not_drafted_over(
    db: Database, settings: Settings, course: tuple[StoreWorld, Any]
) -> None:
    world, _ = course
    m, run, model = start(db, settings, course, sequence([*NURTURE, *PITCH]))
    edited = {"name": "Cadence cycle", "emails": [*NURTURE, *UNHELD]}
    m.resume(world.owner, run.id, "edit", edited)
    m.wait(run.id)
    assert len(model.calls) == 4  # the creator's words were checked, not replaced by a new draft
    shown = card(m, run.id)
    assert shown["unsupported"] == ["Master vocal mixing with compression and reverb."]
    assert shown["emails"][-1]["body"] == UNHELD[0]["body"]


def test_each_email_is_shown_rendered_in_the_store_brand(
    db: Database, settings: Settings, course: tuple[StoreWorld, Any]
) -> None:
    m, run, _ = start(db, settings, course, sequence([*NURTURE, *PITCH]))
    first = card(m, run.id)["emails"][0]
    assert first["render_error"] is None and "Hi Sam," in first["html"]  # the sample recipient
    assert "{{ not code }}" in first["html"] and "Unsubscribe" in first["html"]
    assert "fonts.googleapis" not in first["html"]  # no web font: opening it tells no font host


def test_an_edit_keeps_only_the_email_fields_and_a_broken_one_is_refused(
    db: Database, settings: Settings, course: tuple[StoreWorld, Any]
) -> None:
    world, _ = course
    m, run, model = start(db, settings, course, sequence([*NURTURE, *PITCH]))
    shown = card(m, run.id)
    m.resume(world.owner, run.id, "edit", {"emails": [{**shown["emails"][0], "send_after_days": "soon"}]})
    m.wait(run.id)
    assert card(m, run.id)["note"].startswith("Each edited email needs")  # the draft is unchanged
    rest = "A phrase rests on a cadence before it resolves."
    m.resume(world.owner, run.id, "edit", {"emails": [{**shown["emails"][0], "body": rest}]})
    m.wait(run.id)
    [kept] = card(m, run.id)["emails"]
    assert kept["body"] == rest and rest in kept["html"]  # rendered again from the edit
    assert set(kept) == {"subject", "preview", "body", "cta", "send_after_days", "kind", "day", "html", "render_error"}
    assert len(model.calls) == 4


def test_a_sentence_the_model_loops_on_is_kept_once_in_its_email(
    db: Database, settings: Settings, course: tuple[StoreWorld, Any]
) -> None:
    looped = email("Rest", "A cadence ends a phrase and lets it rest. " * 6)
    m, run, _ = start(db, settings, course, sequence([looped, *PITCH]), "Write a 2-email sequence for this course")
    body = card(m, run.id)["emails"][0]["body"]
    assert body.count("A cadence ends a phrase and lets it rest.") == 1


def test_a_subject_the_model_repeats_is_replaced_so_the_inbox_tells_emails_apart(
    db: Database, settings: Settings, course: tuple[StoreWorld, Any]
) -> None:
    same = [email("Cadences", NURTURE[1]["body"]), email("Cadences", NURTURE[2]["body"]),
            email("Cadences", PITCH[0]["body"])]  # fmt: skip
    m, run, _ = start(db, settings, course, sequence(same), "Write a 3-email sequence for this course")
    subjects = [e["subject"] for e in card(m, run.id)["emails"]]
    assert subjects[0] == "Cadences" and len(set(subjects)) == 3
