"""The letter for a booked (or cancelled) coaching session, with its calendar invitation attached.
The time is written in the creator's time zone, which the learner chose it in on the store page, and
the invitation carries it in UTC for the learner's calendar to show in theirs."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.models import Store, User
from core.settings import Settings
from mail.calendar import invite
from mail.letters import Letter, compose
from mail.providers.base import Attachment


def booking_letter(
    subject: str, store: Store, user: User, data: dict[str, Any], link: str, settings: Settings, stamp: datetime,
    cancelled: bool,
) -> tuple[Letter, Attachment]:  # fmt: skip
    starts, ends = datetime.fromisoformat(str(data["starts_at"])), datetime.fromisoformat(str(data["ends_at"]))
    zone = ZoneInfo(str(data.get("timezone") or "UTC"))
    local = starts.astimezone(zone)
    when = f"{local:%A %d %B %Y, %H:%M} ({zone.key}), {int((ends - starts).total_seconds() // 60)} minutes"
    product = str(data.get("product") or "Coaching session")
    if cancelled:
        said = [f"{product} on {when} is cancelled, and its payment refunded.",
                "The attached update removes it from your calendar."]  # fmt: skip
    else:
        said = [f"{product} with {store.name}: {when}.",
                "The invitation is attached: open it to add the session to your calendar."]  # fmt: skip
    invitation = invite(
        str(data["booking_id"]), starts, ends, f"{product} with {store.name}", "\n".join(said),
        (store.name, settings.mail_from_address), (user.name, user.email), link, stamp, cancelled=cancelled,
    )  # fmt: skip
    return compose(store, subject, said, link, "Your orders and receipts"), invitation
