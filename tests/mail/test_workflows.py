"""The workflow engine, driven by a moving test clock: triggers start one run, delays and waits move
`wake_at`, a wait ends by its event or its timeout, conditions branch, actions act, each step once;
a run keeps its version; an unsubscribe or an archive ends runs; a failing step fails its run only."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select

from core.db import Database, utcnow
from core.settings import Settings
from courses.models import Enrollment
from mail import contacts
from mail.models import Contact, MailMessage, MailTemplate
from mail.workflows import engine, service
from mail.workflows.models import MailWorkflowRun, MailWorkflowStep
from tests.conftest import StoreWorld
from tests.mail.factories import active_workflow, contact, contact_row, template

DAY = 86400


def drip(first: str, second: str, trigger: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "trigger": trigger or {"type": "contact_added"},
        "start": "hello",
        "nodes": {
            "hello": {"type": "send_email", "template_id": first, "next": "pause"},
            "pause": {"type": "delay", "seconds": 2 * DAY, "next": "follow"},
            "follow": {"type": "send_email", "template_id": second, "next": "end"},
            "end": {"type": "exit"},
        },
    }


def subjects(db: Database, to: str | None = None) -> list[str]:
    with db.transaction() as s:
        query = select(MailMessage.subject).order_by(MailMessage.created_at, MailMessage.id)
        return list(s.scalars(query.where(MailMessage.to_email == to) if to else query))


def runs(db: Database) -> list[MailWorkflowRun]:
    with db.transaction() as s:
        rows = list(s.scalars(select(MailWorkflowRun).order_by(MailWorkflowRun.created_at)))
        s.expunge_all()
        return rows


def advance_until(db: Database, settings: Settings, now: datetime) -> None:
    while engine.advance(db, settings, now):
        pass


def test_a_drip_sends_its_first_email_and_the_next_after_the_delay(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    first, second = template(db, settings, store_a, "Welcome"), template(db, settings, store_a, "Day two")
    active_workflow(db, store_a, drip(first, second))
    contact(db, store_a, "ann@example.com")
    start = utcnow()
    advance_until(db, settings, start)
    assert subjects(db) == ["Welcome"]
    advance_until(db, settings, start + timedelta(days=1))  # the clock moves, the delay has not passed
    assert subjects(db) == ["Welcome"]
    advance_until(db, settings, start + timedelta(days=2, seconds=1))
    assert subjects(db) == ["Welcome", "Day two"]
    (run,) = runs(db)
    assert run.status == "done" and run.seq == 4
    with db.transaction() as s:
        message = s.scalars(select(MailMessage)).first()
        assert message is not None and message.kind == "workflow" and "List-Unsubscribe" in message.headers


def test_a_contact_without_consent_starts_no_marketing_run(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    active_workflow(db, store_a, drip(template(db, settings, store_a), template(db, settings, store_a)))
    contact(db, store_a, "quiet@example.com", subscribed=False)
    assert runs(db) == []


def test_advancing_twice_at_the_same_moment_sends_once(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    active_workflow(db, store_a, drip(template(db, settings, store_a, "One"), template(db, settings, store_a)))
    contact(db, store_a, "ann@example.com")
    now = utcnow()
    engine.advance(db, settings, now)
    assert engine.advance(db, settings, now) == 0
    assert subjects(db) == ["One"]


def test_a_step_is_recorded_once_per_run_and_seq(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    active_workflow(db, store_a, drip(template(db, settings, store_a), template(db, settings, store_a)))
    contact(db, store_a, "ann@example.com")
    engine.advance(db, settings, utcnow())
    (run,) = runs(db)
    try:
        with db.transaction() as s:
            s.add(MailWorkflowStep(run_id=run.id, seq=1, node="hello", outcome="again", at=utcnow()))
        raised = False
    except Exception:  # IntegrityError, whichever driver raises it
        raised = True
    assert raised


def waiting_graph(done: str, late: str) -> dict[str, Any]:
    return {
        "trigger": {"type": "tag_added", "tag": "lead"},
        "start": "wait",
        "nodes": {
            "wait": {
                "type": "wait",
                "event": "tag_added",
                "tag": "customer",
                "timeout_seconds": 3 * DAY,
                "next": "thanks",
                "timeout_next": "nudge",
            },
            "thanks": {"type": "send_email", "template_id": done, "next": "end"},
            "nudge": {"type": "send_email", "template_id": late, "next": "end"},
            "end": {"type": "exit"},
        },
    }


def tag(db: Database, contact_id: str, name: str) -> None:
    with db.transaction() as s:
        found = s.get(Contact, contact_id)
        assert found is not None
        contacts.tag(s, found, [name])


def test_a_wait_ends_when_its_event_comes(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    graph = waiting_graph(template(db, settings, store_a, "Thanks"), template(db, settings, store_a, "Still there?"))
    active_workflow(db, store_a, graph)
    ann = contact(db, store_a, "ann@example.com", tags=["lead"])
    start = utcnow()
    advance_until(db, settings, start)
    assert runs(db)[0].status == "waiting" and subjects(db) == []
    tag(db, ann, "customer")
    advance_until(db, settings, start + timedelta(hours=1))
    assert subjects(db) == ["Thanks"]
    advance_until(db, settings, start + timedelta(days=4))  # the timeout, long after: nothing more
    assert subjects(db) == ["Thanks"] and runs(db)[0].status == "done"


def test_a_wait_times_out_onto_its_other_branch(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    graph = waiting_graph(template(db, settings, store_a, "Thanks"), template(db, settings, store_a, "Still there?"))
    active_workflow(db, store_a, graph)
    contact(db, store_a, "ann@example.com", tags=["lead"])
    start = utcnow()
    advance_until(db, settings, start)
    advance_until(db, settings, start + timedelta(days=3) - timedelta(seconds=1))
    assert subjects(db) == []
    advance_until(db, settings, start + timedelta(days=3, seconds=1))
    assert subjects(db) == ["Still there?"]
    with db.transaction() as s:
        outcomes = list(s.scalars(select(MailWorkflowStep.outcome).order_by(MailWorkflowStep.seq)))
    assert outcomes == ["waits for tag_added", "timed out", "sent 'Still there?'", "done"]


def test_a_condition_branches_on_the_contact(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    pro, novice = template(db, settings, store_a, "For pros"), template(db, settings, store_a, "For beginners")
    contact(db, store_a, "seed@example.com", subscribed=False, level="pro")  # makes `level` a known field
    active_workflow(
        db,
        store_a,
        {
            "trigger": {"type": "contact_added"},
            "start": "ask",
            "nodes": {
                "ask": {
                    "type": "condition",
                    "rule": {"rule": "field", "name": "level", "value": "pro"},
                    "yes": "pro",
                    "no": "novice",
                },
                "pro": {"type": "send_email", "template_id": pro, "next": "end"},
                "novice": {"type": "send_email", "template_id": novice, "next": "end"},
                "end": {"type": "exit"},
            },
        },
    )
    contact(db, store_a, "ann@example.com", level="pro")
    contact(db, store_a, "bob@example.com", level="new")
    advance_until(db, settings, utcnow())
    assert subjects(db, "ann@example.com") == ["For pros"]
    assert subjects(db, "bob@example.com") == ["For beginners"]


def test_actions_tag_give_a_coupon_enroll_and_tell_the_creator(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    active_workflow(
        db,
        store_a,
        {
            "trigger": {"type": "contact_added"},
            "start": "tag",
            "nodes": {
                "tag": {"type": "action", "action": "add_tag", "tag": "onboarded", "next": "enroll"},
                "enroll": {"type": "action", "action": "enroll", "course_id": store_a.draft_course_id, "next": "tell"},
                "tell": {
                    "type": "action",
                    "action": "notify_creator",
                    "message": "A new fan <b>joined</b>",
                    "next": "end",
                },
                "end": {"type": "exit"},
            },
        },
    )
    fan = contact(db, store_a, store_a.learner_email)
    advance_until(db, settings, utcnow())
    assert "onboarded" in contact_row(db, fan).tags
    with db.transaction() as s:
        note = s.scalars(select(MailMessage).where(MailMessage.to_email == store_a.owner_email)).one()
        assert note.kind == "transactional" and "&lt;b&gt;joined" in note.html
        assert s.scalar(select(func.count(Enrollment.id)).where(Enrollment.course_id == store_a.draft_course_id)) == 1


def test_a_tag_added_by_one_workflow_starts_another(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    active_workflow(db, store_a, {
        "trigger": {"type": "contact_added"}, "start": "tag",
        "nodes": {"tag": {"type": "action", "action": "add_tag", "tag": "warm", "next": "end"}, "end": {"type": "exit"}},
    }, "Tagger")  # fmt: skip
    warm = template(db, settings, store_a, "You are warm")
    active_workflow(db, store_a, {
        "trigger": {"type": "tag_added", "tag": "warm"}, "start": "mail",
        "nodes": {"mail": {"type": "send_email", "template_id": warm, "next": "end"}, "end": {"type": "exit"}},
    }, "Warm")  # fmt: skip
    contact(db, store_a, "ann@example.com")
    advance_until(db, settings, utcnow())
    assert subjects(db) == ["You are warm"]


def test_a_run_keeps_the_version_it_started_on(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    old, new = template(db, settings, store_a, "Old follow-up"), template(db, settings, store_a, "New follow-up")
    hello = template(db, settings, store_a, "Hello")
    workflow_id = active_workflow(db, store_a, drip(hello, old))
    contact(db, store_a, "early@example.com")
    start = utcnow()
    advance_until(db, settings, start)
    with db.transaction() as s:
        service.update_workflow(s, store_a.owner, workflow_id, None, drip(hello, new))
        assert service.activate(s, store_a.owner, workflow_id).version == 2
    contact(db, store_a, "late@example.com")
    advance_until(db, settings, start + timedelta(days=3))  # early's follow-up, late's hello
    advance_until(db, settings, start + timedelta(days=6))  # late's follow-up
    assert subjects(db, "early@example.com") == ["Hello", "Old follow-up"]
    assert subjects(db, "late@example.com") == ["Hello", "New follow-up"]


def test_an_unsubscribe_ends_the_contacts_runs(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    active_workflow(db, store_a, drip(template(db, settings, store_a, "One"), template(db, settings, store_a, "Two")))
    contact(db, store_a, "ann@example.com")
    start = utcnow()
    advance_until(db, settings, start)
    with db.transaction() as s:
        contacts.unsubscribe(s, contacts.Addressee(store_a.store_id, "ann@example.com"))
    advance_until(db, settings, start + timedelta(days=3))
    assert subjects(db) == ["One"]
    assert runs(db)[0].status == "exited" and runs(db)[0].last_error == "unsubscribed"


def test_a_paused_workflow_holds_its_runs_and_an_archived_one_ends_them(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    workflow_id = active_workflow(db, store_a, drip(template(db, settings, store_a, "One"),
                                                   template(db, settings, store_a, "Two")))  # fmt: skip
    contact(db, store_a, "ann@example.com")
    start = utcnow()
    advance_until(db, settings, start)
    with db.transaction() as s:
        service.pause(s, store_a.owner, workflow_id)
    advance_until(db, settings, start + timedelta(days=3))
    assert subjects(db) == ["One"]
    with db.transaction() as s:
        service.activate(s, store_a.owner, workflow_id)
    advance_until(db, settings, start + timedelta(days=3))
    assert subjects(db) == ["One", "Two"]
    contact(db, store_a, "bob@example.com")
    with db.transaction() as s:
        service.archive(s, store_a.owner, workflow_id)
    assert [r.status for r in runs(db)] == ["done", "exited"]


def test_a_failing_step_fails_its_run_only(db: Database, settings: Settings, store_a: StoreWorld) -> None:
    gone, kept = template(db, settings, store_a, "Gone"), template(db, settings, store_a, "Kept")
    active_workflow(db, store_a, drip(gone, kept), "Broken")
    active_workflow(db, store_a, drip(kept, kept), "Fine")
    with db.transaction() as s:
        s.execute(delete(MailTemplate).where(MailTemplate.id == gone))
    contact(db, store_a, "ann@example.com")
    advance_until(db, settings, utcnow())
    assert subjects(db) == ["Kept"]
    broken = next(r for r in runs(db) if r.status == "failed")
    assert "is gone" in broken.last_error and broken.seq == 0


def test_a_date_trigger_starts_runs_for_its_tag_when_the_time_comes(
    db: Database, settings: Settings, store_a: StoreWorld
) -> None:
    when = utcnow() + timedelta(days=1)
    graph = drip(template(db, settings, store_a, "Launch day"), template(db, settings, store_a, "After launch"),
                 {"type": "date", "at": when.isoformat(), "tag": "waitlist"})  # fmt: skip
    active_workflow(db, store_a, graph)
    contact(db, store_a, "ann@example.com", tags=["waitlist"])
    contact(db, store_a, "bob@example.com")
    assert engine.start_dated(db, when - timedelta(minutes=1)) == 0
    assert engine.start_dated(db, when) == 1
    assert engine.start_dated(db, when) == 0  # once
    advance_until(db, settings, when)
    assert subjects(db) == ["Launch day"]
