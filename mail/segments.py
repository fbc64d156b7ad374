"""Segments: named audience rules a store keeps, previewed with a count before anything is sent.

A segment stores its rule (`mail.rules`), checked against the store when saved; who is in it is
decided by SQL each time it is used, so a broadcast scheduled for tomorrow reaches whoever matches
tomorrow. A segment a broadcast uses cannot be deleted (the broadcast would lose its audience)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.errors import Conflict, ValidationFailed, invalid
from core.pagination import Page, paginate
from core.principal import CONTACTS_READ, CONTACTS_WRITE, Principal
from core.tenancy import get_in_store, in_store, select_in_store
from mail.models import Contact, MailBroadcast, MailSegment
from mail.rules import AnyRule, Rule, as_json, check, condition, error_path

RULE: TypeAdapter[AnyRule] = TypeAdapter(Rule)
SAMPLE = 10


def parse_rule(data: Any, field: str = "rule") -> AnyRule:
    """A stored or sent rule as its typed tree; a 422 naming the first wrong member."""
    try:
        return RULE.validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise invalid(error_path(field, first["loc"]), first["msg"]) from None


def where(session: Session, rule: AnyRule, now: datetime | None = None) -> ColumnElement[bool]:
    return condition(rule, session.get_bind().dialect.name, now or utcnow())


@dataclass(frozen=True)
class Preview:
    count: int
    subscribed: int
    sample: list[Contact]


def preview(session: Session, principal: Principal, rule: AnyRule) -> Preview:
    """How many of the store's contacts match (and how many of them may get marketing), with a few."""
    principal.require(CONTACTS_READ)
    store_id = principal.require_store()
    check(session, store_id, rule)
    mine = (in_store(Contact, store_id), where(session, rule))
    count = session.scalar(select(func.count(Contact.id)).where(*mine)) or 0
    subscribed = session.scalar(select(func.count(Contact.id)).where(*mine, Contact.status == "subscribed")) or 0
    sample = list(session.scalars(select(Contact).where(*mine).order_by(Contact.id).limit(SAMPLE)))
    return Preview(count, subscribed, sample)


def _checked(session: Session, store_id: str, name: str, rule: AnyRule) -> tuple[str, dict[str, Any]]:
    if not name.strip():
        raise invalid("name", "a segment needs a name")
    check(session, store_id, rule)
    return name.strip()[:200], as_json(rule)


def create_segment(session: Session, principal: Principal, name: str, rule: AnyRule) -> MailSegment:
    principal.require(CONTACTS_WRITE)
    store_id = principal.require_store()
    clean, stored = _checked(session, store_id, name, rule)
    segment = MailSegment(store_id=store_id, name=clean, rule=stored)
    session.add(segment)
    session.flush()
    return segment


def get_segment(session: Session, principal: Principal, segment_id: str) -> MailSegment:
    principal.require(CONTACTS_READ)
    segment = get_in_store(session, MailSegment, segment_id, principal, "segment")
    return segment


def list_segments(session: Session, principal: Principal, cursor: str | None, limit: int) -> Page[MailSegment]:
    principal.require(CONTACTS_READ)
    query = select_in_store(MailSegment, principal)
    return paginate(session, query, MailSegment.id, cursor, limit)


def update_segment(session: Session, principal: Principal, segment_id: str, name: str | None,
                   rule: AnyRule | None) -> MailSegment:  # fmt: skip
    principal.require(CONTACTS_WRITE)
    segment = get_segment(session, principal, segment_id)
    clean, stored = _checked(session, segment.store_id, segment.name if name is None else name,
                             rule if rule is not None else parse_rule(segment.rule))  # fmt: skip
    segment.name, segment.rule = clean, stored
    return segment


def delete_segment(session: Session, principal: Principal, segment_id: str) -> None:
    principal.require(CONTACTS_WRITE)
    segment = get_segment(session, principal, segment_id)
    used = session.scalar(select(MailBroadcast.name).where(MailBroadcast.segment_id == segment.id).limit(1))
    if used is not None:
        raise Conflict(f"the broadcast '{used}' uses this segment", extra={"reason": "in_use"})
    session.delete(segment)


def stored_rule(session: Session, segment_id: str) -> AnyRule:
    """A saved segment's rule (for fan-out, which runs without a principal)."""
    segment = session.get(MailSegment, segment_id)
    if segment is None:
        raise ValidationFailed(f"segment '{segment_id}' is gone")
    return parse_rule(segment.rule)
