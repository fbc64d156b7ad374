"""Unsubscribing, `/u/{token}`: the link every marketing message carries.

`GET` only asks (link scanners and previews open links: opening one must not unsubscribe anyone);
`POST` unsubscribes, with the page's button or with the one-click body a mail program sends
(`List-Unsubscribe=One-Click`, RFC 8058). No login, no cookie: the signed link says who and which
store. Doing it twice is doing it once."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import DB, app_context
from api.lesson_view import page
from core.errors import AppError
from core.models import Store
from mail import contacts

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
    )
    return HTMLResponse(page("Unsubscribe", body))


@router.post("/u/{token}", response_class=HTMLResponse)
def unsubscribe(token: str, request: Request, session: DB) -> HTMLResponse:
    who = _addressee(request, token)
    if isinstance(who, HTMLResponse):
        return who
    contacts.unsubscribe(session, who)
    store = escape(_store_name(session, who.store_id))
    body = f"<h1>You are unsubscribed</h1><p>{escape(who.email)} will get no more marketing mail from {store}.</p>"
    return HTMLResponse(page("Unsubscribed", body))
