"""Mail tools: the store's contacts, a segment's preview, a broadcast's and a workflow's stats (read);
contacts, templates, segments, broadcast drafts and workflow drafts (write); scheduling a broadcast
and activating a workflow (`send`: an agent's call waits for the owner's approval, an outside
agent's becomes a pending action unless its key may send unattended)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import func, select

from core.principal import CONTACTS_READ, CONTACTS_WRITE
from core.tenancy import in_store
from mail import broadcasts, contacts, library, segments
from mail.models import Contact
from mail.rules import Rule
from mail.workflows import service as workflows
from mail.workflows.graph import Graph
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
        query = select(func.count(Contact.id)).where(in_store(Contact, ctx.principal))
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


class UnsavedTemplate(ToolInput):
    subject: str = Field(max_length=500, description="Jinja2: 'Hi {{ contact.first_name }}'")
    body: str = Field(max_length=200_000, description="MJML or HTML in Jinja2 (contact, store, unsubscribe_url).")


class RenderedMail(BaseModel):
    subject: str
    html: str = Field(description="The HTML part, styles inlined, as mail clients get it.")
    text: str = Field(description="The plain-text part.")


@TOOLS.tool(scopes=(CONTACTS_READ,))
def render_mail_draft(ctx: ToolContext, args: UnsavedTemplate) -> RenderedMail:
    """Render an unsaved template for a sample recipient in the store's brand, to see it as they will."""
    with ctx.transaction() as session:
        made = library.render_draft(session, ctx.principal, ctx.settings, args.subject, args.body)
        return RenderedMail(subject=made.subject, html=made.html, text=made.text)


class DraftIn(ActionInput):
    name: str = Field(max_length=200)
    template_id: str = Field(max_length=40)
    tags: list[str] = Field(default_factory=list, max_length=50, description="Empty: every subscribed contact.")
    segment_id: str | None = Field(default=None, max_length=40, description="Only this segment's members.")


class BroadcastRef(BaseModel):
    id: str
    name: str
    status: str
    tags: list[str]
    scheduled_at: datetime | None
    queued: int


@TOOLS.tool(scopes=(CONTACTS_WRITE,), side_effect="write")
def draft_broadcast(ctx: ToolContext, args: DraftIn) -> BroadcastRef:
    """Draft a broadcast of a template to subscribed contacts (of a segment, with any of `tags`); nothing is sent."""
    with ctx.transaction() as session:
        made = broadcasts.create_broadcast(session, ctx.principal, args.name, args.template_id, args.tags,
                                           args.segment_id)  # fmt: skip
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
    unsubscribed: int


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


class RuleIn(ToolInput):
    rule: Rule = Field(description="e.g. {'rule': 'all', 'rules': [{'rule': 'tag', 'tag': 'vip'}, "
                                   "{'rule': 'lessons_completed', 'at_least': 3}]}")  # fmt: skip


class SegmentPreview(BaseModel):
    count: int
    subscribed: int = Field(description="Of them, those marketing mail may go to.")
    sample: list[str] = Field(description="A few of their addresses.")


@TOOLS.tool(scopes=(CONTACTS_READ,))
def preview_segment(ctx: ToolContext, args: RuleIn) -> SegmentPreview:
    """How many contacts an audience rule matches now (tags, fields, purchases, enrollment, progress, activity)."""
    with ctx.transaction() as session:
        seen = segments.preview(session, ctx.principal, args.rule)
        return SegmentPreview(count=seen.count, subscribed=seen.subscribed, sample=[c.email for c in seen.sample])


class SegmentIn(ActionInput):
    name: str = Field(max_length=200)
    rule: Rule


class SegmentRef(BaseModel):
    id: str
    name: str


@TOOLS.tool(scopes=(CONTACTS_WRITE,), side_effect="write")
def create_segment(ctx: ToolContext, args: SegmentIn) -> SegmentRef:
    """Save an audience rule as a named segment, for broadcasts."""
    with ctx.transaction() as session:
        return SegmentRef.model_validate(segments.create_segment(session, ctx.principal, args.name, args.rule),
                                         from_attributes=True)  # fmt: skip


class WorkflowIn(ActionInput):
    name: str = Field(max_length=200)
    graph: Graph = Field(description="trigger, start, nodes (send_email, delay, wait, condition, action, exit).")


class WorkflowRef(BaseModel):
    id: str
    name: str
    status: str
    trigger: str
    version: int


@TOOLS.tool(scopes=(CONTACTS_WRITE,), side_effect="write")
def create_workflow(ctx: ToolContext, args: WorkflowIn) -> WorkflowRef:
    """Draw an automation workflow (a draft, checked whole; it runs only once activated)."""
    graph = args.graph.model_dump(mode="json", exclude_none=True)
    with ctx.transaction() as session:
        made = workflows.create_workflow(session, ctx.principal, args.name, graph)
        return WorkflowRef.model_validate(made, from_attributes=True)


class WorkflowChange(ActionInput):
    workflow_id: str = Field(max_length=40)
    name: str | None = Field(default=None, max_length=200)
    graph: Graph | None = Field(default=None, description="The new draft; live runs keep their version.")


@TOOLS.tool(scopes=(CONTACTS_WRITE,), side_effect="write")
def update_workflow(ctx: ToolContext, args: WorkflowChange) -> WorkflowRef:
    """Rename a workflow or redraw its draft (checked whole; it takes effect when activated again)."""
    graph = args.graph.model_dump(mode="json", exclude_none=True) if args.graph is not None else None
    with ctx.transaction() as session:
        made = workflows.update_workflow(session, ctx.principal, args.workflow_id, args.name, graph)
        return WorkflowRef.model_validate(made, from_attributes=True)


class WorkflowId(ToolInput):
    workflow_id: str = Field(max_length=40)


class ActivateIn(ActionInput):
    workflow_id: str = Field(max_length=40)


class WorkflowStats(BaseModel):
    workflow: WorkflowRef
    runs: dict[str, int] = Field(description="Runs by status: active, waiting, done, exited, failed.")
    at_node: dict[str, int] = Field(description="Live runs by the node they are at.")


def _stats(ctx: ToolContext, args: WorkflowId | ActivateIn) -> WorkflowStats:
    with ctx.transaction() as session:
        found = workflows.get_workflow(session, ctx.principal, args.workflow_id)
        counted = workflows.counts(session, found)
        ref = WorkflowRef.model_validate(found, from_attributes=True)
        return WorkflowStats(workflow=ref, runs=counted.by_status, at_node=counted.at_node)


@TOOLS.tool(scopes=(CONTACTS_READ,))
def workflow_stats(ctx: ToolContext, args: WorkflowId) -> WorkflowStats:
    """A workflow's runs by status and where the live ones are."""
    return _stats(ctx, args)


@TOOLS.tool(scopes=(CONTACTS_WRITE,), side_effect="send", preview=_stats)
def activate_workflow(ctx: ToolContext, args: ActivateIn) -> WorkflowRef:
    """Activate a workflow: its draft is published as a version and its trigger starts sending mail."""
    with ctx.transaction() as session:
        return WorkflowRef.model_validate(workflows.activate(session, ctx.principal, args.workflow_id),
                                          from_attributes=True)  # fmt: skip
