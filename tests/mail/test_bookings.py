"""A booked coaching session is confirmed by mail with its calendar invitation, once; a full refund
sends the cancellation that removes it from the learner's calendar."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar, Event
from sqlalchemy import select, text

from commerce import refunds
from commerce.models import Booking
from core.db import Database
from core.settings import Settings
from mail.calendar import invite
from mail.providers.base import Attachment
from mail.providers.outbox import OutboxProvider, outbox_database
from mail.tasks import pump
from mail.transactional import collect
from tests.commerce.factories import Shop, checkout, coaching_shop, deliver, first_free
from tests.mail.test_transactional import messages


def booked(db: Database, settings: Settings) -> tuple[Shop, Booking]:
    s = coaching_shop(db, settings, timezone="Europe/Berlin")
    row = checkout(db, settings, s, starts_at=first_free(db, s))
    assert s.provider.pay(row.provider_session_id or "", "4242 4242 4242 4242") == "paid"
    deliver(db, settings, s.provider)
    with db.transaction() as session:
        booking = session.scalars(select(Booking)).one()
        session.expunge(booking)
        return s, booking


def event_of(attachment: Attachment) -> tuple[Calendar, Event]:
    calendar = Calendar.from_ical(attachment.data)
    [event] = calendar.events
    return calendar, event


def test_a_booking_is_confirmed_with_its_invitation_after_the_receipt(db: Database, settings: Settings) -> None:
    s, booking = booked(db, settings)
    collect(db, settings)
    mine = [m for m in messages(db) if m.to_email == s.world.learner_email and m.kind == "transactional"]
    subjects = [m.subject for m in mine if "receipt" in m.subject or "session" in m.subject]
    assert subjects[-2].startswith("Your receipt from") and subjects[-1].startswith("Your session with")
    confirmation = mine[-1]
    assert confirmation.subject.endswith("is booked")
    assert "Mix review call" in confirmation.text and "(Europe/Berlin), 60 minutes" in confirmation.text
    [attached] = [Attachment.load(a) for a in confirmation.attachments]
    assert (attached.filename, attached.content_type.split(";")[0]) == ("invite.ics", "text/calendar")
    calendar, event = event_of(attached)
    assert str(calendar["method"]) == "REQUEST" and str(event["uid"]) == f"{booking.id}@academy"
    assert event.decoded("dtstart") == booking.starts_at and event.decoded("dtend") == booking.ends_at
    assert str(event["attendee"]) == f"mailto:{s.world.learner_email}"


def test_a_booking_mailed_again_is_not_sent_twice(db: Database, settings: Settings) -> None:
    booked(db, settings)
    collect(db, settings)
    with db.transaction() as session:
        session.execute(text("UPDATE order_events SET handled_at = NULL"))
    collect(db, settings)
    assert sum(m.subject.endswith("is booked") for m in messages(db)) == 1


def test_a_full_refund_sends_the_cancellation_of_the_same_event(db: Database, settings: Settings) -> None:
    s, booking = booked(db, settings)
    with db.transaction() as session:
        refunds.refund_order(session, s.world.owner, s.provider, booking.order_id or "")
    deliver(db, settings, s.provider)
    collect(db, settings)
    [cancelled] = [m for m in messages(db) if m.subject.endswith("is cancelled")]
    calendar, event = event_of(Attachment.load(cancelled.attachments[0]))
    assert str(calendar["method"]) == "CANCEL" and str(event["status"]) == "CANCELLED"
    assert str(event["uid"]) == f"{booking.id}@academy" and int(event["sequence"]) == 1


def test_the_outbox_keeps_the_invitation_for_the_mailbox(db: Database, settings: Settings) -> None:
    s, _ = booked(db, settings)
    collect(db, settings)
    pump(db, settings)
    kept = OutboxProvider(settings.data_dir).messages(to_email=s.world.learner_email)
    [confirmation] = [m for m in kept if m.subject.endswith("is booked")]
    assert Attachment.load(confirmation.attachments[0]).data.startswith(b"BEGIN:VCALENDAR\r\n")


def test_an_invitation_is_folded_and_escaped_as_rfc_5545_asks(settings: Settings) -> None:
    from datetime import UTC, datetime

    start = datetime(2027, 1, 4, 8, tzinfo=UTC)
    long_name = "Mixing, mastering; and a very long session title that needs folding " * 2
    made = invite("bkg_1", start, start + timedelta(hours=1), long_name, "line one\nline two",
                  ("The Mix Room", "mail@academy.test"), ("Ann", "ann@example.com"), "https://x.test", start)  # fmt: skip
    lines = made.data.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines) and b"\n" not in made.data.replace(b"\r\n", b"")
    assert b"DTSTART:20270104T080000Z" in made.data and b"Mixing\\, mastering\\; and" in made.data
    _, event = event_of(made)
    assert str(event["summary"]) == long_name and str(event["description"]) == "line one\nline two"


def test_an_outbox_from_before_attachments_gets_their_column(settings: Settings) -> None:
    path = (settings.data_dir / "old-outbox.sqlite").resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    import sqlite3

    with sqlite3.connect(path) as old:  # the outbox's table as it was made before this change
        old.execute(
            "CREATE TABLE outbox_messages (id VARCHAR(40) PRIMARY KEY, store_id VARCHAR(40), to_email VARCHAR(320), "
            "from_name VARCHAR(200), subject VARCHAR(300), html TEXT, text TEXT, headers JSON, received_at DATETIME)"
        )
    outbox_database(path)
    with sqlite3.connect(path) as upgraded:
        assert "attachments" in [row[1] for row in upgraded.execute("PRAGMA table_info(outbox_messages)")]
