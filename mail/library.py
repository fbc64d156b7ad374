"""A store's template library: templates are checked when saved (rendered for a sample recipient, so a
template that does not compile or reaches for what the sandbox forbids is refused with the field and
the line), previewed for a sample or a real contact, and sent as a test to the creator themself."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy.orm import Session

from core.branding import brand_of
from core.errors import ValidationFailed, invalid
from core.models import Store, User
from core.pagination import Page, paginate
from core.principal import CONTACTS_READ, CONTACTS_WRITE, Principal
from core.settings import Settings
from core.tenancy import belongs, get_in_store, select_in_store
from mail.contacts import unsubscribe_headers
from mail.models import Contact, MailMessage, MailTemplate
from mail.queue import enqueue
from mail.templates import Rendered, render

SAMPLE = {"name": "Sam Sample", "first_name": "Sam", "email": "sam@example.com", "fields": {}}


def context(settings: Settings, store: Store, contact: dict[str, Any]) -> dict[str, Any]:
    """What a template sees: plain data, never a row."""
    base = settings.public_base_url.rstrip("/")
    link = unsubscribe_headers(settings, store.id, contact["email"])["List-Unsubscribe"].strip("<>")
    shown = {"name": store.name, "url": f"{base}/s/{store.slug}", **brand_of(store.brand).plain()}
    return {"contact": contact, "store": shown, "unsubscribe_url": link}


def contact_data(contact: Contact) -> dict[str, Any]:
    first = contact.name.split()[0] if contact.name.strip() else ""
    return {"name": contact.name, "first_name": first, "email": contact.email, "fields": dict(contact.fields)}


def _store(session: Session, principal: Principal) -> Store:
    store = session.get(Store, principal.require_store())
    assert store is not None
    return store


def _checked(settings: Settings, store: Store, subject: str, body: str) -> Rendered:
    """The template rendered for the sample recipient (a 422 naming the field when it cannot be)."""
    if not subject.strip():
        raise invalid("subject", "a template needs a subject")
    return render(subject, body, context(settings, store, SAMPLE))


def create_template(session: Session, principal: Principal, settings: Settings, name: str, subject: str,
                    body: str) -> MailTemplate:  # fmt: skip
    principal.require(CONTACTS_WRITE)
    store = _store(session, principal)
    if not name.strip():
        raise invalid("name", "a template needs a name")
    _checked(settings, store, subject, body)
    template = MailTemplate(store_id=store.id, name=name.strip()[:200], subject=subject, body=body)
    session.add(template)
    session.flush()
    return template


def get_template(session: Session, principal: Principal, template_id: str) -> MailTemplate:
    principal.require(CONTACTS_READ)
    template = get_in_store(session, MailTemplate, template_id, principal, "template")
    return template


def list_templates(session: Session, principal: Principal, cursor: str | None, limit: int) -> Page[MailTemplate]:
    principal.require(CONTACTS_READ)
    query = select_in_store(MailTemplate, principal)
    return paginate(session, query, MailTemplate.id, cursor, limit)


def update_template(session: Session, principal: Principal, settings: Settings, template_id: str,
                    changes: dict[str, str]) -> MailTemplate:  # fmt: skip
    principal.require(CONTACTS_WRITE)
    template = get_template(session, principal, template_id)
    subject, body = changes.get("subject", template.subject), changes.get("body", template.body)
    _checked(settings, _store(session, principal), subject, body)
    template.subject, template.body = subject, body
    if "name" in changes and changes["name"].strip():
        template.name = changes["name"].strip()[:200]
    return template


def preview(session: Session, principal: Principal, settings: Settings, template_id: str,
            contact_id: str | None = None) -> Rendered:  # fmt: skip
    """The template as one recipient would get it: a contact of the store, or the sample."""
    template = get_template(session, principal, template_id)
    data = SAMPLE
    if contact_id is not None:
        contact = session.get(Contact, contact_id)
        if contact is None or not belongs(contact, template.store_id):
            raise invalid("contact_id", f"contact '{contact_id}' is not one of this store's")
        data = contact_data(contact)
    return render(template.subject, template.body, context(settings, _store(session, principal), data))


def render_draft(session: Session, principal: Principal, settings: Settings, subject: str, body: str) -> Rendered:
    """An unsaved template as the sample recipient would get it, in the store's brand: how a draft is
    shown for review before it becomes a template (a 422 naming the field when it cannot render)."""
    principal.require(CONTACTS_READ)
    return _checked(settings, _store(session, principal), subject, body)


def send_test(session: Session, principal: Principal, settings: Settings, template_id: str) -> MailMessage:
    """The template, rendered for the sample, to the creator's own address (marked as a test)."""
    rendered = preview(session, principal, settings, template_id)
    me = session.get(User, principal.user_id) if principal.user_id else None
    if me is None:
        raise ValidationFailed("a test goes to the person asking for it: sign in as them (an API key has no inbox)")
    store = _store(session, principal)
    key = f"test:{template_id}:{secrets.token_hex(8)}"
    return enqueue(session, store.id, "transactional", me.email, f"[Test] {rendered.subject}", rendered.html,
                   rendered.text, key, from_name=store.name)  # fmt: skip
