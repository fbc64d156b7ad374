"""Mail test data: queued messages for a store, and a provider scripted to answer as told."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.db import Database
from mail.models import MailMessage
from mail.providers.base import Outgoing
from mail.queue import enqueue


def queued(db: Database, store_id: str, n: int = 1, kind: str = "transactional", to: str = "ann@example.com",
           key: str = "m") -> list[MailMessage]:  # fmt: skip
    headers = {} if kind == "transactional" else {"List-Unsubscribe": "<https://academy.test/u/x>"}
    with db.transaction() as s:
        rows = [
            enqueue(
                s,
                store_id,
                kind,
                to,
                f"Subject {i}",
                f"<p>Body {i}</p>",
                f"Body {i}",
                f"{store_id}:{key}:{i}",
                headers=headers,
            )
            for i in range(n)
        ]
        s.expunge_all()
        return rows


@dataclass
class ScriptedProvider:
    """Answers each send with the next scripted outcome (an exception to raise, or None: accepted)."""

    script: list[Exception | None] = field(default_factory=list)
    accepted: list[Outgoing] = field(default_factory=list)
    name: str = "scripted"

    def send(self, message: Outgoing) -> str:
        outcome = self.script.pop(0) if self.script else None
        if outcome is not None:
            raise outcome
        self.accepted.append(message)
        return f"scripted_{message.id}"
