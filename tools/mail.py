"""Mail tools: the store's contacts and a broadcast's stats (read); contacts, templates and broadcast
drafts (write); scheduling a broadcast (`send`: an agent's call waits for the owner's approval, an
outside agent's becomes a pending action unless its key may send unattended)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import func, select

from core.principal import CONTACTS_READ, CONTACTS_WRITE
from mail import broadcasts, contacts, library
from mail.models import Contact
from tools.base import ToolContext, ToolInput
from tools.declare import ActionInput, ToolSet

TOOLS = ToolSet("mail")


class ContactsIn(ToolInput):
    status: Literal["none", "subscribed", "unsubscribed"] | None = None
    limit: int = Field(default=50, ge=1, le=100)


class ContactRef(BaseModel):
    id: str
    email: str
    name: str
    status: str
    tags: list[str]


class ContactList(BaseModel):
    contacts: list[ContactRef]
    total: int = Field(description="How many contacts of this status (or in all) the store has.")


@TOOLS.tool(scopes=(CONTACTS_READ,))
def list_contacts(ctx: ToolContext, args: ContactsIn) -> ContactList:
    """The store's mailing contacts, with their consent (subscribed, unsubscribed, or none: buyers)."""
    with ctx.transaction() as session:
        page = contacts.list_contacts(session, ctx.principal, args.status, None, args.limit)
        query = select(func.count(Contact.id)).where(Contact.store_id == ctx.principal.require_store())
        if args.status:
            query = query.where(Contact.status == args.status)
        return ContactList(
            contacts=[ContactRef.model_validate(c, from_attributes=True) for c in page.items],
            total=session.scalar(query) or 0,
        )


class AddContactIn(ActionInput):
    email: str = Field(max_length=320)
    name: str = Field(default="", max_length=200)
    subscribed: bool = Field(default=False, description="Only when the person agreed to marketing mail.")
    tags: list[str] = Field(default_factory=list, max_length=50)


@TOOLS.tool(scopes=(CONTACTS_WRITE,), side_effect="write")
def add_contact(ctx: ToolContext, args: AddContactIn) -> ContactRef:
    """Add a contact (or tags to one); `subscribed` records their consent to marketing mail."""
    with ctx.transaction() as session:
        contact = contacts.add_contact(session, ctx.principal, args.email, args.name, args.subscribed, args.tags)
        return ContactRef.model_validate(contact, from_attributes=True)


class TemplateIn(ActionInput):
    name: str = Field(max_length=200)
    subject: str = Field(max_length=500, description="Jinja2: 'Hi {{ contact.first_name }}'")
    body: str = Field(max_length=200_000, description="MJML or HTML in Jinja2 (contact, store, unsubscribe_url).")


class TemplateRef(BaseModel):
    id: str
    name: str
    subject: str


@TOOLS.tool(scopes=(CONTACTS_WRITE,), side_effect="write")
def create_mail_template(ctx: ToolContext, args: TemplateIn) -> TemplateRef:
    """Save a mail template, checked by rendering it for a sample recipient (a broken one is refused)."""
    with ctx.transaction() as session:
        made = library.create_template(session, ctx.principal, ctx.settings, args.name, args.subject, args.body)
        return TemplateRef.model_validate(made, from_attributes=True)


class DraftIn(ActionInput):
    name: str = Field(max_length=200)
    template_id: str = Field(max_length=40)
    tags: list[str] = Field(default_factory=list, max_length=50, description="Empty: every subscribed contact.")


class BroadcastRef(BaseModel):
    id: str
    name: str
    status: str
    tags: list[str]
    scheduled_at: datetime | None
    queued: int


@TOOLS.tool(scopes=(CONTACTS_WRITE,), side_effect="write")
def draft_broadcast(ctx: ToolContext, args: DraftIn) -> BroadcastRef:
    """Draft a broadcast of a template to the subscribed contacts (or those with any of `tags`); nothing is sent."""
    with ctx.transaction() as session:
        made = broadcasts.create_broadcast(session, ctx.principal, args.name, args.template_id, args.tags)
        return BroadcastRef.model_validate(made, from_attributes=True)


class BroadcastIn(ToolInput):
    broadcast_id: str = Field(max_length=40)


class StatsRef(BaseModel):
    recipients: int
    by_status: dict[str, int]
    delivered: int
    opened: int
    clicked: int
    bounced: int
    complained: int


@TOOLS.tool(scopes=(CONTACTS_READ,))
def broadcast_stats(ctx: ToolContext, args: BroadcastIn) -> StatsRef:
    """How a broadcast went: recipients by status, and deliveries, opens, clicks, bounces, complaints."""
    with ctx.transaction() as session:
        return StatsRef.model_validate(
            broadcasts.stats(session, ctx.principal, args.broadcast_id), from_attributes=True
        )


class ScheduleIn(ActionInput):
    broadcast_id: str = Field(max_length=40)
    at: datetime | None = Field(default=None, description="When to start (UTC); default now.")


class SchedulePreview(BaseModel):
    broadcast_id: str
    would_send_to: int = Field(description="Subscribed contacts in its audience now.")
    at: datetime | None


def _preview_schedule(ctx: ToolContext, args: ScheduleIn) -> SchedulePreview:
    with ctx.transaction() as session:
        ctx.principal.require(CONTACTS_WRITE)
        broadcast = broadcasts.get_broadcast(session, ctx.principal, args.broadcast_id)
        return SchedulePreview(
            broadcast_id=broadcast.id, would_send_to=broadcasts.audience_size(session, broadcast), at=args.at
        )


@TOOLS.tool(scopes=(CONTACTS_WRITE,), side_effect="send", preview=_preview_schedule)
def schedule_broadcast(ctx: ToolContext, args: ScheduleIn) -> BroadcastRef:
    """Send a drafted broadcast now or at `at` (it goes to its audience's subscribed contacts)."""
    with ctx.transaction() as session:
        return BroadcastRef.model_validate(
            broadcasts.schedule(session, ctx.principal, args.broadcast_id, args.at), from_attributes=True
        )
