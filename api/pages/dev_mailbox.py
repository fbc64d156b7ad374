"""The dev mailbox, `/dev/mailbox`: what the embedded `outbox` mail provider was given, as its
recipient would see it. A signed-in learner sees the mail sent to their own address, a creator the
mail of their store. Only with the outbox provider and outside production; a message's HTML is shown
in a sandboxed frame (no script, no same-origin access), served with a policy of its own, since a
mail's HTML lives on inline styles that the pages' policy forbids."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import DB, app_context, current_principal
from api.headers import MAIL_FRAME_HEADERS
from api.pages.html import page
from core.errors import AppError, NotFound
from core.models import User
from core.principal import ORDERS_READ, Principal
from mail.providers.base import Attachment
from mail.providers.outbox import OutboxMessage, OutboxProvider

router = APIRouter(include_in_schema=False)


def _viewer(request: Request, session: DB) -> tuple[OutboxProvider, Principal, str]:
    context = app_context(request)
    if context.settings.mail_provider != "outbox" or context.settings.env == "production":
        raise NotFound("the dev mailbox is only there with the outbox mail provider, outside production")
    viewer = current_principal(request, session)
    user = session.get(User, viewer.user_id)
    return OutboxProvider(context.settings.data_dir), viewer, user.email if user else ""


def _mine(viewer: Principal, email: str, message: OutboxMessage) -> bool:
    return message.to_email == email or (viewer.has(ORDERS_READ) and message.store_id == viewer.store_id)


def _problem(exc: AppError) -> HTMLResponse:
    body = f"<h1>{escape(exc.title)}</h1><p>{escape(exc.detail)}</p>"
    if exc.status == 401:
        body += (
            '<p>Sign in on <a href="/">the chat page</a>, then come back to <a href="/dev/mailbox">the mailbox</a>.</p>'
        )
    return HTMLResponse(page(exc.title, body), exc.status)


@router.get("/dev/mailbox", response_class=HTMLResponse)
def mailbox(request: Request, session: DB) -> HTMLResponse:
    try:
        outbox, viewer, email = _viewer(request, session)
    except AppError as exc:
        return _problem(exc)
    store = viewer.store_id if viewer.has(ORDERS_READ) else None
    found = outbox.messages(store_id=store) if store else outbox.messages(to_email=email)
    rows = "".join(
        f"<tr><td>{m.received_at:%d %b %Y, %H:%M}</td><td>{escape(m.to_email)}</td>"
        f'<td><a href="/dev/mailbox/{escape(m.id)}">{escape(m.subject)}</a></td></tr>'
        for m in found
    )
    whose = "your store's mail" if store else f"mail to {escape(email)}"
    table = (
        '<table class="orders"><thead><tr><th>Received</th><th>To</th><th>Subject</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
        if rows
        else "<p>No mail yet.</p>"
    )
    body = (
        f'<h1>Dev mailbox</h1><p class="crumbs">What the outbox kept ({whose}); nothing left this machine.</p>{table}'
    )
    return HTMLResponse(page("Dev mailbox", body))


def _found(request: Request, session: DB, message_id: str) -> OutboxMessage:
    outbox, viewer, email = _viewer(request, session)
    found = outbox.message(message_id[:40])
    if found is None or not _mine(viewer, email, found):
        raise NotFound(f"message '{message_id[:40]}' not found")
    return found


@router.get("/dev/mailbox/{message_id}", response_class=HTMLResponse)
def message(message_id: str, request: Request, session: DB) -> HTMLResponse:
    try:
        found = _found(request, session, message_id)
    except AppError as exc:
        return _problem(exc)
    body = (
        f"<h1>{escape(found.subject)}</h1>"
        f'<p class="crumbs">From {escape(found.from_name)} · to {escape(found.to_email)} · '
        f"{found.received_at:%d %b %Y, %H:%M} UTC</p>"
        f'<iframe title="The message" sandbox src="/dev/mailbox/{escape(found.id)}/html" class="mail-frame"></iframe>'
        f"<h2>Plain text</h2><pre>{escape(found.text)}</pre>"
        + _attachments(found)
        + '<p><a href="/dev/mailbox">All mail</a></p>'
    )
    return HTMLResponse(page(found.subject, body))


def _attachments(found: OutboxMessage) -> str:
    if not found.attachments:
        return ""
    items = "".join(
        f'<li><a href="/dev/mailbox/{escape(found.id)}/attachments/{n}" download>{escape(a["filename"])}</a> '
        f"({escape(a['content_type'].split(';')[0])})</li>"
        for n, a in enumerate(found.attachments)
    )
    return f"<h2>Attachments</h2><ul>{items}</ul>"


@router.get("/dev/mailbox/{message_id}/attachments/{number}")
def attachment(message_id: str, number: int, request: Request, session: DB) -> Response:
    """An attached file as the recipient would save it (a booking's `invite.ics`)."""
    try:
        found = _found(request, session, message_id)
        if not 0 <= number < len(found.attachments or []):
            raise NotFound(f"message '{found.id}' has no attachment {number}")
    except AppError as exc:
        return _problem(exc)
    attached = Attachment.load(found.attachments[number])
    disposition = {"Content-Disposition": f'attachment; filename="{attached.filename}"'}
    return Response(attached.data, media_type=attached.content_type, headers=disposition)


@router.get("/dev/mailbox/{message_id}/html", response_class=HTMLResponse)
def message_html(message_id: str, request: Request, session: DB) -> HTMLResponse:
    """The message's HTML as the recipient's mail program would render it: its inline styles allowed,
    no script, no requests but images, in a sandbox, framed only by the mailbox page."""
    try:
        found = _found(request, session, message_id)
    except AppError as exc:
        return _problem(exc)
    return HTMLResponse(found.html, headers=MAIL_FRAME_HEADERS)
