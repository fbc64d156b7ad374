"""The Resend adapter on the real `resend` SDK against a loopback Resend: one message per queue row
(its id the idempotency key), a 429's `retry-after` honoured, a 5xx retried, a refusal failed."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest

from core.db import Database, utcnow
from mail.models import MailMessage
from mail.providers.base import Attachment, Outgoing, Refused, TryLater
from mail.providers.resend import ResendProvider
from mail.queue import claim, send_claimed
from tests.conftest import StoreWorld
from tests.mail.factories import queued
from tests.mail.resend_server import KEY, LoopbackResend, loopback_resend

FROM = "mail@academy.test"


@pytest.fixture
def server() -> Iterator[LoopbackResend]:
    with loopback_resend() as running:
        yield running


def outgoing(to: str = "ann@example.com") -> Outgoing:
    return Outgoing("msg_1", "sto_1", to, "The Mix Room", FROM, "Hello", "<p>Hello</p>", "Hello", {"X-Test": "1"})


def row(db: Database, message_id: str) -> MailMessage:
    with db.transaction() as s:
        found = s.get(MailMessage, message_id)
        assert found is not None
        s.expunge(found)
        return found


def test_a_queued_message_reaches_resend_once_keyed_by_its_row(
    db: Database, store_a: StoreWorld, server: LoopbackResend
) -> None:
    [message] = queued(db, store_a.store_id)
    provider = ResendProvider(KEY, server.url)
    assert send_claimed(db, provider, claim(db, 20), FROM).sent == 1
    [accepted] = server.accepted
    assert accepted["idempotency_key"] == message.id and accepted["to"] == ["ann@example.com"]
    assert accepted["html"] == "<p>Body 0</p>" and accepted["text"] == "Body 0"
    assert row(db, message.id).provider_message_id == accepted["id"]


def test_a_retried_send_is_accepted_once(server: LoopbackResend) -> None:
    provider = ResendProvider(KEY, server.url)
    assert provider.send(outgoing()) == provider.send(outgoing())
    assert len(server.accepted) == 1 and server.accepted[0]["from"] == '"The Mix Room" <mail@academy.test>'


def test_a_429_puts_the_message_back_for_as_long_as_resend_asks(
    db: Database, store_a: StoreWorld, server: LoopbackResend
) -> None:
    [message] = queued(db, store_a.store_id)
    server.throttle(1, retry_after="42")
    assert send_claimed(db, ResendProvider(KEY, server.url), claim(db, 20), FROM).retried == 1
    back = row(db, message.id)
    assert back.status == "queued" and back.sent_at is None and server.accepted == []
    assert timedelta(seconds=40) < back.next_attempt_at - utcnow() <= timedelta(seconds=42)


def test_a_5xx_is_tried_again_and_an_invalid_message_is_refused(server: LoopbackResend) -> None:
    provider = ResendProvider(KEY, server.url)
    server.fail(1)
    with pytest.raises(TryLater, match="Internal error"):
        provider.send(outgoing())
    with pytest.raises(Refused, match="Invalid `to`"):
        provider.send(outgoing(to="nobody"))


def test_a_wrong_key_keeps_the_message_for_later(server: LoopbackResend) -> None:
    with pytest.raises(TryLater, match="API key"):
        ResendProvider("re_wrong", server.url).send(outgoing())


def test_an_attachment_reaches_resend_as_base64(server: LoopbackResend) -> None:
    ics = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    ResendProvider(KEY, server.url).send(
        replace(outgoing(), attachments=(Attachment("invite.ics", "text/calendar", ics),))
    )
    [attached] = server.accepted[0]["attachments"]
    assert attached["filename"] == "invite.ics" and attached["content_type"] == "text/calendar"
    assert base64.b64decode(attached["content"]) == ics
