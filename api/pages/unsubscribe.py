"""Unsubscribing and preferences, `/u/{token}`: the link every marketing message carries.

`GET` only asks (link scanners and previews open links: opening one must not unsubscribe anyone);
`POST` unsubscribes, with the page's button or with the one-click body a mail program sends
(`List-Unsubscribe=One-Click`, RFC 8058). No login, no cookie: the signed link says who and which
store. Doing it twice is doing it once. When the store has topics, the page also lets the person
choose which they want (`POST /u/{token}/preferences`), short of unsubscribing."""

from __future__ import annotations

from html import escape
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from api.deps import DB, app_context
from api.pages.html import page
from core.errors import AppError
from core.models import Store
from mail import contacts, topics

router = APIRouter(include_in_schema=False)


def _store_name(session: DB, store_id: str) -> str:
    store = session.get(Store, store_id)
    return store.name if store else "this store"


def _invalid(exc: AppError) -> HTMLResponse:
    body = (
        "<h1>This unsubscribe link is not valid</h1>"
        f"<p>{escape(exc.detail)}. Use the link in the most recent message you received.</p>"
    )
    return HTMLResponse(page("Unsubscribe", body), 400)


def _addressee(request: Request, token: str) -> contacts.Addressee | HTMLResponse:
    """Whom the link is for, or the page that says the link is not valid."""
    try:
        return contacts.addressee(app_context(request).settings, token)
    except AppError as exc:
        return _invalid(exc)


@router.get("/u/{token}", response_class=HTMLResponse)
def confirm(token: str, request: Request, session: DB) -> HTMLResponse:
    who = _addressee(request, token)
    if isinstance(who, HTMLResponse):
        return who
    store = escape(_store_name(session, who.store_id))
    body = (
        f"<h1>Unsubscribe from {store}?</h1>"
        f"<p>{escape(who.email)} will get no more newsletters or offers from {store}. Receipts and "
        "account messages still arrive.</p>"
        f'<form method="post" action="/u/{escape(token)}"><button>Unsubscribe</button></form>'
        + _preferences(session, who, token)
    )
    return HTMLResponse(page("Unsubscribe", body))


def _preferences(session: DB, who: contacts.Addressee, token: str, note: str = "") -> str:
    offered = topics.store_topics(session, who.store_id)
    if not offered:
        return ""
    contact = contacts.find(session, who.store_id, who.email)
    mine = set(contact.topics) if contact else set()
    boxes = "".join(
        f'<label><input type="checkbox" name="topic" value="{escape(t.key)}"{" checked" if t.key in mine else ""}>'
        f" {escape(t.name)}</label>"
        for t in offered
    )
    return (
        f'<section class="preferences"><h2>Or choose what you get</h2>{note}'
        f'<form method="post" action="/u/{escape(token)}/preferences">{boxes}<button>Save my choices</button></form>'
        "</section>"
    )


@router.post("/u/{token}/preferences", response_class=HTMLResponse)
def preferences(
    token: str, request: Request, session: DB, topic: Annotated[list[str] | None, Form(max_length=20)] = None
) -> HTMLResponse:
    who = _addressee(request, token)
    if isinstance(who, HTMLResponse):
        return who
    contact = contacts.find(session, who.store_id, who.email)
    if contact is None:
        return _invalid(AppError("the address is not on this store's list"))
    try:
        topics.choose(session, contact, topic or [])
    except AppError as exc:
        return _invalid(exc)
    store = escape(_store_name(session, who.store_id))
    saved = '<p class="note" role="status">Your choices are saved.</p>'
    return HTMLResponse(page("Preferences", f"<h1>Mail from {store}</h1>" + _preferences(session, who, token, saved)))


@router.post("/u/{token}", response_class=HTMLResponse)
def unsubscribe(token: str, request: Request, session: DB) -> HTMLResponse:
    who = _addressee(request, token)
    if isinstance(who, HTMLResponse):
        return who
    contacts.unsubscribe(session, who)
    store = escape(_store_name(session, who.store_id))
    body = f"<h1>You are unsubscribed</h1><p>{escape(who.email)} will get no more marketing mail from {store}.</p>"
    return HTMLResponse(page("Unsubscribed", body))
