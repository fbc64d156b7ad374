"""The store's page, `/s/{store}`: what it sells, with prices and a Buy button that opens checkout
(the local test page on the embedded stack), what the signed-in learner already holds, and a form to
sign up for the store's mail."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import DB, current_principal
from api.pages.html import page
from commerce import bookings
from commerce.fulfilment import already_held
from commerce.kinds import kind_of
from commerce.models import Price, Product
from commerce.storefront import on_sale
from core.errors import AppError
from core.models import Store
from mail.topics import store_topics

router = APIRouter(include_in_schema=False)

BUY_SCRIPT = '<script type="module" src="/static/store.js"></script>'


def money(amount: int, currency: str) -> str:
    return f"{amount / 100:,.2f} {currency.upper()}"


def _price_label(price: Price) -> str:
    label = money(price.unit_amount, price.currency)
    if price.interval:
        label += f" / {price.interval}" if price.interval_count == 1 else f" / {price.interval_count} {price.interval}s"
    if price.min_amount is not None:
        label = f"pay what you want, from {money(price.min_amount, price.currency)}"
    return (f"{escape(price.nickname)}: " if price.nickname else "") + label


def _times(session: DB, product: Product) -> str:
    """A coaching session's free times to choose from, in the creator's time zone (the next two weeks)."""
    try:
        plan = bookings.schedule(product)
        free = bookings.free_slots(session, product, 14)[:60]
    except AppError:  # hours stored before they were checked: the creator fixes them, the page stays up
        return '<p class="held">Booking opens soon.</p>'
    if not free:
        return '<p class="held">No free times in the next two weeks. Check back soon.</p>'
    options = "".join(
        f'<option value="{s.isoformat()}">{s.astimezone(plan.zone):%a %d %b, %H:%M}</option>' for s in free
    )
    zone = escape(plan.zone.key)
    return f'<label>Time ({zone}, {plan.minutes} min) <select name="starts_at">{options}</select></label>'


def _sign_up(session: DB, store: Store) -> str:
    """The mail sign-up form (double opt-in: `api/pages/signups.py`), with the store's topics."""
    boxes = "".join(
        f'<label><input type="checkbox" name="topic" value="{escape(t.key)}" checked> {escape(t.name)}</label>'
        for t in store_topics(session, store.id)
    )
    return (
        f'<section class="signup"><h2>Get mail from {escape(store.name)}</h2>'
        f'<form method="post" action="/s/{escape(store.slug)}/subscribe">'
        '<label>Email <input name="email" type="email" required autocomplete="email"></label>'
        '<label>Name <input name="name" autocomplete="name"></label>'
        f"{boxes}<button>Sign up</button></form>"
        "<p>We will email you a link to confirm. Every message has a link to unsubscribe.</p></section>"
    )


@router.get("/s/{slug}", response_class=HTMLResponse)
def store_page(slug: str, request: Request, session: DB, checkout: str | None = None) -> HTMLResponse:
    try:
        store, products = on_sale(session, slug[:64])
    except AppError as exc:
        return HTMLResponse(page(exc.title, f"<h1>{escape(exc.title)}</h1><p>{escape(exc.detail)}</p>"), exc.status)
    try:
        viewer = current_principal(request, session)
        user_id = viewer.user_id if viewer.store_id == store.id else None
    except AppError:
        user_id = None
    note = {"done": "Thank you: your purchase is complete.", "cancelled": "Checkout cancelled; nothing was charged."}
    cards = []
    for product, prices in products:
        held = user_id is not None and already_held(session, product, user_id)
        if held and kind_of(product.kind).carries_file and product.file_key:
            link = f'<a href="/v1/products/{product.id}/download" download>Download the file</a>'
            action = f'<p class="held">You have this. {link}.</p>'
        elif held:
            action = '<p class="held">You have this. <a href="/">Open the chat</a>.</p>'
        else:
            options = "".join(f'<option value="{p.id}">{_price_label(p)}</option>' for p in prices)
            tip = prices[0].min_amount is not None
            amount = (
                f'<label>Amount ({escape(prices[0].currency.upper())}) <input name="amount" type="number" step="0.01" '
                f'min="{prices[0].min_amount / 100:.2f}" value="{prices[0].unit_amount / 100:.2f}"></label>'
                if tip and prices[0].min_amount is not None
                else ""
            )
            times = _times(session, product) if kind_of(product.kind).bookable else ""
            action = (
                f'<form class="buy"><input type="hidden" name="product_id" value="{product.id}">'
                f'<select name="price_id" aria-label="Price">{options}</select>{amount}{times}'
                f'<button>Buy</button><span class="status" role="status"></span></form>'
            )
        cards.append(
            f'<article class="product"><h2>{escape(product.name)}</h2><p class="kind">{escape(product.kind)}</p>'
            f"<p>{escape(product.description)}</p>{action}</article>"
        )
    orders = f'<p class="crumbs"><a href="/s/{escape(store.slug)}/orders">Your orders and receipts</a></p>'
    body = (
        f"<h1>{escape(store.name)}</h1>"
        + (orders if user_id is not None else "")
        + ("".join(cards) or "<p>Nothing is on sale here yet.</p>")
        + _sign_up(session, store)
        + BUY_SCRIPT
    )
    return HTMLResponse(page(store.name, body, note.get(checkout or "", "")))
