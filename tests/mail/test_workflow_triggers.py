"""Workflows started and woken by what learners do elsewhere: a purchase (commerce's order events),
an enrollment and a completed lesson (`core.activity`), each acted on once however often collected."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from commerce.models import OrderEvent
from core.activity import ActivityEvent
from core.db import Database, utcnow
from core.settings import Settings
from courses import enrollments
from mail.models import Contact, MailMessage
from mail.transactional import collect
from mail.workflows import engine, intake
from mail.workflows.models import MailWorkflowRun
from tests.commerce.factories import checkout, deliver, shop
from tests.conftest import StoreWorld, build_store, principal_of
from tests.mail.factories import active_workflow, contact, template


def one_email(template_id: str, trigger: dict[str, object]) -> dict[str, object]:
    return {"trigger": trigger, "start": "mail",
            "nodes": {"mail": {"type": "send_email", "template_id": template_id, "next": "end"}, "end": {"type": "exit"}}}  # fmt: skip


def run_count(db: Database) -> int:
    with db.transaction() as s:
        return s.scalar(select(func.count(MailWorkflowRun.id))) or 0


def test_a_purchase_starts_one_run_even_when_its_event_is_handled_twice(db: Database, settings: Settings) -> None:
    s = shop(db, settings)
    active_workflow(db, s.world, one_email(template(db, settings, s.world, "Start here"),
                                           {"type": "purchase", "product_id": s.product_id}))  # fmt: skip
    contact(db, s.world, s.world.learner_email)  # the learner subscribed before buying
    row = checkout(db, settings, s)
    assert s.provider.pay(row.provider_session_id or "", "4242 4242 4242 4242") == "paid"
    deliver(db, settings, s.provider)
    collect(db, settings)
    with db.transaction() as session:  # a crash before marking: the purchase comes round again
        session.execute(update(OrderEvent).values(handled_at=None))
    collect(db, settings)
    assert run_count(db) == 1
    while engine.advance(db, settings):
        pass
    with db.transaction() as session:
        assert session.scalar(select(func.count()).where(MailMessage.subject == "Start here")) == 1
        buyer = session.scalars(select(Contact).where(Contact.email == s.world.learner_email)).one()
        assert buyer.last_activity_at is not None


def test_an_enrollment_starts_its_courses_workflow(db: Database, settings: Settings) -> None:
    world = build_store(db, "gamma", enroll_learner=False)
    active_workflow(db, world, one_email(template(db, settings, world, "Welcome to the course"),
                                         {"type": "enrollment", "course_id": world.course_id}))  # fmt: skip
    contact(db, world, world.learner_email)
    with db.transaction() as s:
        enrollments.grant_enrollment(s, world.owner, world.course_id, world.learner_email)
    assert intake.collect(db, settings) == 2 and intake.collect(db, settings) == 0  # joined, enrolled
    assert run_count(db) == 1


def test_a_completed_lesson_wakes_a_run_waiting_for_it(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    cheer, nudge = template(db, settings, store_a, "Nice work"), template(db, settings, store_a, "Come back")
    active_workflow(
        db,
        store_a,
        {
            "trigger": {"type": "contact_added"},
            "start": "wait",
            "nodes": {
                "wait": {
                    "type": "wait",
                    "event": "lesson_completed",
                    "course_id": store_a.course_id,
                    "timeout_seconds": 7 * 86400,
                    "next": "cheer",
                    "timeout_next": "nudge",
                },
                "cheer": {"type": "send_email", "template_id": cheer, "next": "end"},
                "nudge": {"type": "send_email", "template_id": nudge, "next": "end"},
                "end": {"type": "exit"},
            },
        },
    )
    contact(db, store_a, store_a.learner_email)
    engine.advance(db, settings)
    learner = principal_of(db, store_a.learner_email, store_a.store_id)
    with db.transaction() as s:
        enrollments.complete_lesson(s, learner, store_a.preview_lesson_id)
    intake.collect(db, settings)
    while engine.advance(db, settings, utcnow() + timedelta(minutes=1)):
        pass
    with db.transaction() as s:
        assert list(s.scalars(select(MailMessage.subject).where(MailMessage.kind == "workflow"))) == ["Nice work"]
        assert s.scalar(select(func.count()).where(ActivityEvent.handled_at.is_(None))) == 0


def test_joining_and_enrolling_send_one_welcome_and_one_enrollment_note(db: Database, settings: Settings) -> None:
    world = build_store(db, "delta")  # its learner joins the store and is enrolled in its course
    intake.collect(db, settings)
    with db.transaction() as s:  # handled again after a crash: still one of each
        s.execute(update(ActivityEvent).values(handled_at=None))
    intake.collect(db, settings)
    with db.transaction() as s:
        sent = sorted(s.scalars(select(MailMessage.subject).where(MailMessage.to_email == world.learner_email)))
    assert sent == ["Welcome to Store delta", "You are enrolled in delta course"]
