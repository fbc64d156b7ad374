"""What a mail provider does for the queue: take one message and say whether it was accepted.

A provider answers with its id for the message, or raises `TryLater` (throttled, a 429 or a 5xx:
the message goes back to the queue, with the provider's `retry_after` when it gave one, and never
counts as sent) or `Refused` (the message will never be accepted as it is: it fails). Every message
carries its queue id as an idempotency key, so a send retried after a crash is accepted once."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any, Protocol

MAX_ATTACHMENT_BYTES = 1_000_000  # what we attach is ours (a calendar invitation): small


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message (a booking's `invite.ics`). Kept on the queue row as JSON, its
    bytes in base64, so a message is sent with the same file however often it is retried."""

    filename: str
    content_type: str  # with its parameters: `text/calendar; method=REQUEST`
    data: bytes

    def stored(self) -> dict[str, str]:
        return {"filename": self.filename, "content_type": self.content_type,
                "content": base64.b64encode(self.data).decode()}  # fmt: skip

    @classmethod
    def load(cls, row: dict[str, Any]) -> Attachment:
        return cls(str(row["filename"]), str(row["content_type"]), base64.b64decode(str(row["content"])))


@dataclass(frozen=True)
class Outgoing:
    id: str  # the queue row's id: the provider's idempotency key
    store_id: str
    to_email: str
    from_name: str  # the store's name, shown as the sender
    from_address: str
    subject: str
    html: str
    text: str
    headers: dict[str, str] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()


def sender(message: Outgoing) -> str:
    """The From header: `Store name <address>`, or the bare address."""
    name = message.from_name.replace('"', "").strip()
    return f'"{name}" <{message.from_address}>' if name else message.from_address


class TryLater(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class Refused(Exception):
    """The provider will never accept this message as it is (an invalid address, a rejected body)."""


class MailProvider(Protocol):
    name: str

    def send(self, message: Outgoing) -> str:
        """The provider's id for the accepted message; `TryLater` or `Refused` otherwise."""
        ...
