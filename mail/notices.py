"""Mail to a store's owners (a workflow telling the creator, a deliverability pause): transactional,
one message per owner under the caller's key, so a retried cause tells each owner once."""

from __future__ import annotations

from html import escape

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import StoreMember, User
from core.tenancy import in_store
from mail.queue import enqueue


def tell_owners(session: Session, store_id: str, key: str, subject: str, said: list[str]) -> None:
    owners = session.scalars(select(User.email).join(StoreMember, StoreMember.user_id == User.id).where(
        in_store(StoreMember, store_id), StoreMember.role == "owner"
    ))  # fmt: skip
    html = "<!doctype html><html><body>" + "".join(f"<p>{escape(line)}</p>" for line in said) + "</body></html>"
    for owner in owners:
        enqueue(session, store_id, "transactional", owner, subject[:300], html, "\n\n".join(said), f"{key}:{owner}")
