"""SMTP to any server, on `aiosmtplib`: a multipart message (plain text and HTML), the queue row's id in
its Message-ID, the message's own headers (List-Unsubscribe and friends), and a DKIM signature when a
key is configured (`dkimpy`).

SMTP has no idempotency key: a server that accepted a message the pump then failed to record gets it
once more after the lease (receivers fold duplicates by Message-ID, which is the row's id). A 4xx,
a dropped connection or a refused login (the deployment is wrong, not the message) puts the message
back; any other 5xx refuses it."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate

import aiosmtplib
import dkim

from mail.providers.base import Outgoing, Refused, TryLater, sender

log = logging.getLogger("academy.mail")
AUTH_CODES = (530, 534, 535, 538)
SIGNED_HEADERS = [b"from", b"to", b"subject", b"date", b"message-id", b"list-unsubscribe", b"list-unsubscribe-post"]


@dataclass(frozen=True)
class DkimKey:
    selector: str
    domain: str
    private_key: bytes  # PEM


def build(message: Outgoing, dkim_key: DkimKey | None = None) -> bytes:
    """The message as it goes on the wire: both parts, our headers, signed when a key is given."""
    email = EmailMessage(policy=SMTP)
    email["From"] = sender(message)
    email["To"] = message.to_email
    email["Subject"] = message.subject
    email["Date"] = formatdate(usegmt=True)
    email["Message-ID"] = f"<{message.id}@{message.from_address.rsplit('@', 1)[-1]}>"
    for name, value in message.headers.items():
        email[name] = value
    email.set_content(message.text)
    email.add_alternative(message.html, subtype="html")
    for attached in message.attachments:  # the message becomes multipart/mixed around the two parts
        kind, _, parameters = attached.content_type.partition(";")
        maintype, subtype = kind.strip().split("/", 1)
        params = dict(p.strip().split("=", 1) for p in parameters.split(";") if "=" in p)
        name = attached.filename
        email.add_attachment(attached.data, maintype=maintype, subtype=subtype, filename=name, params=params)
    raw = email.as_bytes()
    if dkim_key is None:
        return raw
    signature = dkim.sign(
        raw, dkim_key.selector.encode(), dkim_key.domain.encode(), dkim_key.private_key, include_headers=SIGNED_HEADERS
    )
    return bytes(signature) + raw


class SmtpProvider:
    name = "smtp"

    def __init__(
        self,
        host: str,
        port: int = 587,
        username: str | None = None,
        password: str | None = None,
        security: str = "starttls",  # starttls, tls, none
        dkim_key: DkimKey | None = None,
        timeout: float = 30,
    ) -> None:
        self.host, self.port, self.username, self.password = host, port, username, password
        self.security, self.dkim_key, self.timeout = security, dkim_key, timeout

    def send(self, message: Outgoing) -> str:
        raw = build(message, self.dkim_key)
        try:
            asyncio.run(
                aiosmtplib.send(
                    raw,
                    sender=message.from_address,
                    recipients=[message.to_email],
                    hostname=self.host,
                    port=self.port,
                    username=self.username,
                    password=self.password,
                    use_tls=self.security == "tls",
                    start_tls=self.security == "starttls",
                    timeout=self.timeout,
                )
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [refusal.code for refusal in exc.recipients]
            if all(code >= 500 for code in codes):
                raise Refused(f"the SMTP server refused {message.to_email}: {exc.recipients[0].message}") from exc
            raise TryLater(f"the SMTP server deferred {message.to_email}: {exc.recipients[0].message}") from exc
        except aiosmtplib.SMTPResponseException as exc:
            if exc.code in AUTH_CODES:
                log.error("the SMTP server refused our login (ACADEMY_SMTP_USERNAME/PASSWORD): %s", exc.message)
            if exc.code >= 500 and exc.code not in AUTH_CODES:
                raise Refused(f"the SMTP server refused the message: {exc.code} {exc.message}") from exc
            raise TryLater(f"the SMTP server answered {exc.code} {exc.message}") from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise TryLater(f"the SMTP server could not be reached: {exc}") from exc
        return f"smtp_{message.id}"
