"""Orders and receipts as pages: `/s/{store}/orders` lists what the signed-in learner bought in that
store (its creator sees every order of the store), `/s/{store}/orders/{id}` is one receipt with the
order's history. Server-rendered, printable, no script; the same rows as `GET /v1/orders/{id}`."""

from __future__ import annotations

from datetime import datetime
from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import DB, current_principal
from api.pages.html import page
from api.pages.store import BUY_SCRIPT, money
from commerce import receipts, refunds, subscriptions
from commerce.models import OrderLine, Product, Subscription
from commerce.storefront import store_by_slug
from core.errors import AppError
from core.principal import ORDERS_READ, Principal

router = APIRouter(include_in_schema=False)

STATUS = {
    "paid": "Paid",
    "free": "Free",
    "refunded": "Refunded",
    "partially_refunded": "Partly refunded",
    "disputed": "Disputed",
    "dispute_lost": "Dispute lost",
}
PAGE_SIZE = 100


def _when(at: datetime) -> str:
    return f'<time datetime="{at.isoformat()}">{at:%d %b %Y, %H:%M} UTC</time>'


def _problem(exc: AppError) -> HTMLResponse:
    return HTMLResponse(page(exc.title, f"<h1>{escape(exc.title)}</h1><p>{escape(exc.detail)}</p>"), exc.status)


def _viewer(request: Request, session: DB, slug: str) -> tuple[str, Principal | None]:
    """The store's name, and who is signed in to it (None: nobody, or someone of another store)."""
    store = store_by_slug(session, slug[:64])
    try:
        viewer = current_principal(request, session)
    except AppError:
        return store.name, None
    return store.name, viewer if viewer.store_id == store.id else None


def _sign_in(store_name: str, slug: str) -> HTMLResponse:
    body = (
        f"<h1>Your orders at {escape(store_name)}</h1>"
        f'<p>Sign in on <a href="/">the chat page</a> to see your orders and receipts, then come back to '
        f'<a href="/s/{escape(slug)}/orders">this page</a>.</p>'
    )
    return HTMLResponse(page("Your orders", body), 401)


@router.get("/s/{slug}/orders", response_class=HTMLResponse)
def orders_page(slug: str, request: Request, session: DB) -> HTMLResponse:
    try:
        store_name, viewer = _viewer(request, session, slug)
    except AppError as exc:
        return _problem(exc)
    if viewer is None:
        return _sign_in(store_name, slug)
    orders = refunds.list_orders(session, viewer, None, PAGE_SIZE).items
    lines = session.scalars(select(OrderLine).where(OrderLine.order_id.in_([o.id for o in orders])))
    items: dict[str, list[str]] = {}
    for line in lines:
        items.setdefault(line.order_id, []).append(line.description)
    rows = "".join(
        f"<tr><td>{_when(o.created_at)}</td><td>{escape(', '.join(items.get(o.id, [])))}</td>"
        f'<td class="amount">{money(o.total, o.currency)}</td><td>{STATUS.get(o.status, escape(o.status))}</td>'
        f'<td><a href="/s/{escape(slug)}/orders/{o.id}">Receipt</a></td></tr>'
        for o in orders
    )
    heading = "Orders" if viewer.has(ORDERS_READ) else "Your orders"
    members = _memberships(session, viewer)
    table = (
        '<table class="orders"><thead><tr><th>Date</th><th>Items</th><th>Total</th><th>Status</th><th></th></tr>'
        f"</thead><tbody>{rows}</tbody></table>"
        if rows
        else f'<p>No orders yet. <a href="/s/{escape(slug)}">See what is on sale</a>.</p>'
    )
    body = f"<h1>{heading} at {escape(store_name)}</h1>{members}{table}{BUY_SCRIPT}"
    return HTMLResponse(page(heading, body))


def _membership_state(sub: Subscription) -> str:
    end = f"{sub.current_period_end:%d %b %Y}" if sub.current_period_end else "the end of the period"
    if sub.status in subscriptions.ENDED:
        return f"Ended {sub.ended_at:%d %b %Y}" if sub.ended_at else "Ended"
    if sub.cancel_at_period_end:
        return f"Cancelled: yours until {end}"
    if sub.status == "past_due":
        return "The last payment failed: the card will be tried again"
    if sub.status in ("unpaid", "paused", "incomplete"):
        return "On hold until a payment goes through"
    return f"Renews on {end}"


def _memberships(session: Session, viewer: Principal) -> str:
    """The viewer's memberships (a creator's: the store's), each with what happens next."""
    subs = subscriptions.list_subscriptions(session, viewer, None, PAGE_SIZE).items
    if not subs:
        return ""
    ids = [s.product_id for s in subs]
    names: dict[str, str] = {}
    for product_id, name in session.execute(select(Product.id, Product.name).where(Product.id.in_(ids))):
        names[product_id] = name
    rows = []
    for sub in subs:
        button = ""
        if sub.user_id == viewer.user_id and sub.status not in subscriptions.ENDED and not sub.cancel_at_period_end:
            button = (
                f'<button class="cancel-membership" data-id="{sub.id}">Cancel</button>'
                '<span class="status" role="status"></span>'
            )
        rows.append(
            f"<tr><td>{escape(names.get(sub.product_id, 'Membership'))}</td>"
            f"<td>{escape(_membership_state(sub))}</td><td>{button}</td></tr>"
        )
    return f'<h2>Memberships</h2><table class="orders"><tbody>{"".join(rows)}</tbody></table><h2>Orders</h2>'


@router.get("/s/{slug}/orders/{order_id}", response_class=HTMLResponse)
def receipt_page(slug: str, order_id: str, request: Request, session: DB) -> HTMLResponse:
    try:
        store_name, viewer = _viewer(request, session, slug)
        if viewer is None:
            return _sign_in(store_name, slug)
        found = receipts.receipt(session, viewer, order_id[:40])
    except AppError as exc:
        return _problem(exc)
    order = found.order
    cur = order.currency
    rows = [
        f'<tr><td>{escape(line.description)}</td><td class="amount">{money(line.gross, cur)}</td></tr>'
        for line in found.lines
    ]
    if order.discount:
        rows.append(f'<tr><td>Discount</td><td class="amount">&minus;{money(order.discount, cur)}</td></tr>')
    rows.append(f'<tr class="total"><th>Total</th><th class="amount">{money(order.total, cur)}</th></tr>')
    if order.amount_refunded:
        rows.append(f'<tr><td>Refunded</td><td class="amount">&minus;{money(order.amount_refunded, cur)}</td></tr>')
    if viewer.has(ORDERS_READ):  # the split is the creator's business, not the buyer's
        rows.append(f'<tr><td>Platform fee</td><td class="amount">{money(order.platform_fee, cur)}</td></tr>')
        rows.append(f'<tr><td>Net to the store</td><td class="amount">{money(order.net, cur)}</td></tr>')
    history = "".join(
        f"<li>{_when(event.created_at)} · {escape(receipts.label(event))}"
        + (f" · {money(amount, cur)}" if (amount := receipts.amount_of(event)) is not None else "")
        + "</li>"
        for event in found.history
    )
    body = (
        f"<h1>Receipt</h1>"
        f'<p class="crumbs">{escape(store_name)} · order <code>{order.id}</code> · {_when(order.created_at)}</p>'
        f'<table class="receipt">{"".join(rows)}</table>'
        f"<p>Status: <strong>{STATUS.get(order.status, escape(order.status))}</strong></p>"
        f'<h2>History</h2><ol class="history">{history}</ol>'
        f'<p><a href="/s/{escape(slug)}/orders">All orders</a> · <a href="/s/{escape(slug)}">The store</a></p>'
    )
    return HTMLResponse(page(f"Receipt {order.id}", body))
