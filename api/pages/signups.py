"""Signing up for a store's mail, with double opt-in, as pages: the store page's form (limited and
confirmed as `POST /v1/stores/{slug}/subscribe` is: `api/v1/mail/signups.py`), and `/c/{token}`, the
confirmation link (GET asks, POST confirms: scanners open links)."""

from __future__ import annotations

from html import escape
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from api.deps import DB, Context, app_context
from api.pages.html import page
from api.v1.mail.signups import ask
from commerce.storefront import store_by_slug
from core.errors import AppError
from core.models import Store
from mail import optin, topics

router = APIRouter(include_in_schema=False)


def _problem_page(exc: AppError, title: str) -> HTMLResponse:
    return HTMLResponse(page(title, f"<h1>{escape(title)}</h1><p>{escape(exc.detail)}.</p>"), exc.status)


@router.post("/s/{slug}/subscribe", response_class=HTMLResponse, include_in_schema=False)
def subscribe_form(
    slug: str,
    request: Request,
    session: DB,
    context: Context,
    email: Annotated[str, Form(max_length=320)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    topic: Annotated[list[str] | None, Form(max_length=20)] = None,
) -> HTMLResponse:
    try:
        store = store_by_slug(session, slug[:64])
        status = ask(session, context, request, store, email, name, topic or [])
    except AppError as exc:
        return _problem_page(exc, "We could not sign you up")
    sent = f"We sent a link to {email.strip().lower()}. Open it to confirm, and mail from {store.name} will follow."
    said = "You are subscribed already: nothing more to do." if status == "subscribed" else sent
    return HTMLResponse(page("Check your inbox", f"<h1>Check your inbox</h1><p>{escape(said)}</p>"))


def _confirmation(request: Request, token: str) -> optin.Confirmation | HTMLResponse:
    try:
        return optin.confirmation(app_context(request).settings, token)
    except AppError as exc:
        return _problem_page(exc, "This confirmation link is not valid")


@router.get("/c/{token}", response_class=HTMLResponse, include_in_schema=False)
def confirm_page(token: str, request: Request, session: DB) -> HTMLResponse:
    who = _confirmation(request, token)
    if isinstance(who, HTMLResponse):
        return who
    store = session.get(Store, who.store_id)
    name = escape(store.name if store else "this store")
    body = (f"<h1>Confirm your subscription</h1><p>Send mail from {name} to {escape(who.email)}?</p>"
            f'<form method="post" action="/c/{escape(token)}"><button>Yes, subscribe me</button></form>')  # fmt: skip
    return HTMLResponse(page("Confirm", body))


@router.post("/c/{token}", response_class=HTMLResponse, include_in_schema=False)
def confirm(token: str, request: Request, session: DB) -> HTMLResponse:
    who = _confirmation(request, token)
    if isinstance(who, HTMLResponse):
        return who
    try:
        contact = optin.confirm(session, who)
    except AppError as exc:
        return _problem_page(exc, "This confirmation link cannot be used again")
    store = session.get(Store, who.store_id)
    chosen = {t.key: t.name for t in topics.store_topics(session, who.store_id)}
    about = ", ".join(chosen[k] for k in contact.topics if k in chosen)
    body = (f"<h1>You are subscribed</h1><p>{escape(contact.email)} will get mail from "
            f"{escape(store.name if store else 'the store')}{escape(f' about {about}' if about else '')}. "
            "Every message has a link to change that or to unsubscribe.</p>")  # fmt: skip
    return HTMLResponse(page("Subscribed", body))
