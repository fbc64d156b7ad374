"""The SMTP adapter against a real SMTP server on loopback (aiosmtpd): both MIME parts, the headers we
set (List-Unsubscribe among them), a DKIM signature that verifies; a deferral is tried again, a
refused recipient fails, a server that is down keeps the message for later."""

from __future__ import annotations

import base64
import email
from collections.abc import Iterator
from dataclasses import replace
from email import policy
from typing import Any

import dkim
import pytest
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from mail.providers.base import Attachment, Outgoing, Refused, TryLater
from mail.providers.smtp import DkimKey, SmtpProvider
from tests.live_server import free_port

UNSUBSCRIBE = {
    "List-Unsubscribe": "<https://academy.test/u/abc>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
}


class Inbox:
    """What the server received; `defer` answers DATA with a 451, `refuse` a recipient with a 550."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []
        self.defer = False

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address.startswith("gone@"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.defer:
            return "451 4.3.0 try again later"
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler, port = Inbox(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def outgoing(to: str = "ann@example.com") -> Outgoing:
    return Outgoing("msg_smtp1", "sto_1", to, "The Mix Room", "mail@academy.test", "Your receipt",
                    "<p>Thank <b>you</b></p>", "Thank you", dict(UNSUBSCRIBE))  # fmt: skip


def test_a_message_arrives_with_both_parts_and_our_headers(inbox: tuple[Inbox, int]) -> None:
    handler, port = inbox
    SmtpProvider("127.0.0.1", port, security="none").send(outgoing())
    [(mail_from, rcpt, raw)] = handler.received
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert (mail_from, rcpt) == ("mail@academy.test", ["ann@example.com"])
    [author] = parsed["From"].addresses
    assert (author.display_name, author.addr_spec) == ("The Mix Room", "mail@academy.test")
    assert parsed["Subject"] == "Your receipt"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" and "msg_smtp1@" in parsed["Message-ID"]
    parts = {part.get_content_type(): part.get_content().strip() for part in parsed.iter_parts()}
    assert parts == {"text/plain": "Thank you", "text/html": "<p>Thank <b>you</b></p>"}


def test_a_dkim_signature_verifies_with_the_published_key(inbox: tuple[Inbox, int]) -> None:
    handler, port = inbox
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)
    SmtpProvider("127.0.0.1", port, security="none", dkim_key=DkimKey("s1", "academy.test", pem)).send(outgoing())
    [(_, _, raw)] = handler.received
    assert raw.startswith(b"DKIM-Signature:") and b"list-unsubscribe" in raw.split(b"\r\n\r\n")[0].lower()
    dns = {b"s1._domainkey.academy.test.": record}
    assert dkim.verify(raw, dnsfunc=lambda name, timeout=5: dns.get(name))
    assert not dkim.verify(raw.replace(b"Thank you", b"Thank YOU"), dnsfunc=lambda name, timeout=5: dns.get(name))


def test_a_deferral_is_tried_again_and_a_gone_mailbox_fails(inbox: tuple[Inbox, int]) -> None:
    handler, port = inbox
    provider = SmtpProvider("127.0.0.1", port, security="none")
    handler.defer = True
    with pytest.raises(TryLater, match="451"):
        provider.send(outgoing())
    handler.defer = False
    with pytest.raises(Refused, match="no such mailbox"):
        provider.send(outgoing(to="gone@example.com"))
    assert handler.received == []


def test_a_server_that_is_down_keeps_the_message_for_later() -> None:
    with pytest.raises(TryLater, match="could not be reached"):
        SmtpProvider("127.0.0.1", free_port(), security="none", timeout=5).send(outgoing())


def test_an_invitation_travels_as_a_calendar_part_beside_both_bodies(inbox: tuple[Inbox, int]) -> None:
    handler, port = inbox
    ics = b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    invited = replace(outgoing(), attachments=(Attachment("invite.ics", "text/calendar; method=REQUEST", ics),))
    SmtpProvider("127.0.0.1", port, security="none").send(invited)
    [(_, _, raw)] = handler.received
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert parsed.get_content_type() == "multipart/mixed"
    [attached] = list(parsed.iter_attachments())
    assert attached.get_filename() == "invite.ics" and attached.get_content_type() == "text/calendar"
    assert attached.get_param("method") == "REQUEST" and attached.get_payload(decode=True) == ics
    body = parsed.get_body(preferencelist=("plain",))
    assert body is not None and body.get_content().strip() == "Thank you"
