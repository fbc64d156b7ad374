"""Deliverability per store: its bounce and complaint rates over 30 days, and a pause of its marketing
mail when they pass what mailbox providers tolerate.

Every minute `review` counts, for each store that sent mail in the window, what was sent, what hard
bounced and what drew a complaint (from the provider's webhooks). A store whose complaint rate passes
0.3% or whose hard-bounce rate passes 5%, over at least `MIN_SENT` messages (a rate over a handful
means nothing), is paused: its broadcasts and workflow mail stay queued and are not sent, scheduling a
broadcast or activating a workflow answers 409 with the reason, and its owners are told by email.
Transactional mail (receipts) still goes. The pause lifts by itself once the rates are back under
(old messages leave the window), and the owners are told that too. One store's poor list never
spends the reputation every store shares."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from core.db import Database, utcnow
from core.errors import Conflict
from core.tenancy import in_store, select_in_store
from mail.models import MailMessage, MailPause
from mail.notices import tell_owners
from mail.queue import paused_stores

WINDOW = timedelta(days=30)
MIN_SENT = 100
MAX_COMPLAINTS = 0.003
MAX_BOUNCES = 0.05


@dataclass(frozen=True)
class Standing:
    sent: int
    bounced: int
    complained: int

    @property
    def bounce_rate(self) -> float:
        return self.bounced / self.sent if self.sent else 0.0

    @property
    def complaint_rate(self) -> float:
        return self.complained / self.sent if self.sent else 0.0

    def why_pause(self) -> str | None:
        """The reason to pause, in words a creator can act on, or None."""
        if self.sent < MIN_SENT:
            return None
        if self.complaint_rate > MAX_COMPLAINTS:
            return (f"{self.complaint_rate:.2%} of the {self.sent:,} messages sent in 30 days were marked as spam "
                    f"(the limit is {MAX_COMPLAINTS:.1%}): send only to people who asked for your mail")  # fmt: skip
        if self.bounce_rate > MAX_BOUNCES:
            return (f"{self.bounce_rate:.1%} of the {self.sent:,} messages sent in 30 days bounced (the limit is "
                    f"{MAX_BOUNCES:.0%}): remove addresses that do not exist")  # fmt: skip
        return None


def standings(session: Session, now: datetime, store_id: str | None = None) -> dict[str, Standing]:
    """Each store's sent, hard-bounced and complained messages over the window."""
    query = (
        select(
            MailMessage.store_id,
            func.count(MailMessage.id),
            func.sum(case((MailMessage.bounce == "hard", 1), else_=0)),
            func.sum(case((MailMessage.complained_at.is_not(None), 1), else_=0)),
        )
        .where(MailMessage.status == "sent", MailMessage.sent_at >= now - WINDOW)
        .group_by(MailMessage.store_id)
    )
    if store_id is not None:
        query = query.where(in_store(MailMessage, store_id))
    return {row[0]: Standing(int(row[1]), int(row[2] or 0), int(row[3] or 0)) for row in session.execute(query)}


def live_pause(session: Session, store_id: str) -> MailPause | None:
    return session.scalar(select_in_store(MailPause, store_id).where(MailPause.lifted_at.is_(None)))


def refuse_if_paused(session: Session, store_id: str) -> None:
    """409 with the reason when the store's marketing mail is paused."""
    pause = live_pause(session, store_id)
    if pause is not None:
        raise Conflict(f"marketing mail is paused for this store: {pause.reason}", extra={"reason": "paused"})


def review(db: Database, now: datetime | None = None) -> list[str]:
    """Pause the stores over the limits and lift the pauses of those back under; the stores changed."""
    now = now or utcnow()
    changed: list[str] = []
    with db.transaction() as s:
        found = standings(s, now)
        for store_id in set(found) | paused_stores(s):
            standing = found.get(store_id, Standing(0, 0, 0))
            why, pause = standing.why_pause(), live_pause(s, store_id)
            if why and pause is None:
                pause = MailPause(store_id=store_id, reason=why, sent=standing.sent, paused_at=now,
                                  bounce_rate=standing.bounce_rate, complaint_rate=standing.complaint_rate)  # fmt: skip
                s.add(pause)
                s.flush()
                tell_owners(s, store_id, f"pause:{pause.id}", "Your store's marketing mail is paused",
                             [f"We paused your broadcasts and automations: {why}.",
                              "Receipts and other transactional mail still go out. Sending resumes by itself "
                              "once the rate is back under the limit."])  # fmt: skip
                changed.append(store_id)
            elif not why and pause is not None:
                pause.lifted_at = now
                back = "The rates are back under the limits; broadcasts and automations are sending again."
                tell_owners(s, store_id, f"resume:{pause.id}", "Your store's marketing mail is sending again", [back])
                changed.append(store_id)
    return changed
