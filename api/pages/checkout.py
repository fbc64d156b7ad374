"""The local payment provider's pages (served only when it is the provider): the test checkout page
at `/checkout/{session}` and the onboarding page at `/connect/{link}` (a single-use link that
expires), and the return address both providers send a paying learner back to
(`/checkout/return/{id}`), which fulfils the order itself (the idempotent fulfiller; the webhook
may come before or after).

What the pages do is reported as Stripe would report it: the provider's new events are signed with
the webhook secret and posted to `/v1/webhooks/stripe` on this same app (in process, through its ASGI
interface: the same endpoint, the same checks, no network)."""

from __future__ import annotations

from html import escape
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.pages.html import page
from commerce.fulfilment import fulfil
from commerce.models import CheckoutSession
from commerce.providers.factory import make_payment_provider, webhook_secrets
from commerce.providers.local import LinkExpired, LocalPaymentProvider
from commerce.webhooks.signature import sign
from core.context import AppContext
from core.errors import ValidationFailed
from core.return_urls import check_return_url

router = APIRouter(include_in_schema=False)
CARDS = (
    ("4242 4242 4242 4242", "pays"),
    ("4000 0000 0000 0002", "is declined"),
    ("4000 0025 0000 3155", "asks for authentication"),
)


def _local(request: Request) -> LocalPaymentProvider | None:
    context: AppContext = request.app.state.context
    provider = make_payment_provider(context.settings)
    return provider if isinstance(provider, LocalPaymentProvider) else None


async def deliver(request: Request, local: LocalPaymentProvider) -> None:
    """Post the provider's undelivered events, signed, to the webhook endpoint of this app."""
    context: AppContext = request.app.state.context
    secret = webhook_secrets(context.settings)[0]
    transport = httpx.ASGITransport(app=request.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://local-payments") as client:
        for event in await run_in_threadpool(local.pending_events):
            body = httpx.Request("POST", "/", json=event).content
            answer = await client.post(
                "/v1/webhooks/stripe",
                content=body,
                headers={"Stripe-Signature": sign(body, secret), "Content-Type": "application/json"},
            )
            if answer.status_code == 200:
                await run_in_threadpool(local.mark_delivered, event["id"])


def _not_here() -> HTMLResponse:
    return HTMLResponse(page("Not found", "<h1>Not found</h1><p>There is no such checkout.</p>"), status_code=404)


def _checkout_page(state: dict[str, object], error: str = "", authenticate: bool = False) -> str:
    amount = int(state["amount_total"])  # type: ignore[call-overload]
    shown = f"{amount / 100:.2f} {str(state['currency']).upper()}"
    action = f"/checkout/{escape(str(state['id']))}/pay"
    note = f'<p class="note" role="alert">{escape(error)}</p>' if error else ""
    if authenticate:
        form = f"""<p>Your bank asks you to confirm this payment.</p>
<form method="post" action="{action}"><input type="hidden" name="card" value="4000002500003155">
<button name="authenticated" value="yes">Complete authentication</button>
<button name="authenticated" value="no">Fail authentication</button></form>"""
    else:
        cards = "".join(f"<li><code>{c}</code> {what}</li>" for c, what in CARDS)
        form = f"""<form method="post" action="{action}">
<label>Card number <input name="card" inputmode="numeric" autocomplete="off" required
 placeholder="4242 4242 4242 4242"></label> <button>Pay {escape(shown)}</button></form>
<details><summary>Test cards</summary><ul>{cards}</ul></details>"""
    return page(
        "Checkout",
        f"""<p class="crumbs">Test checkout · no real money moves</p>
<h1>{escape(str(state.get("description") or "Your order"))}</h1><p><strong>{escape(shown)}</strong></p>
{note}{form}<p><a href="{escape(str(state["cancel_url"]))}">Cancel and go back</a></p>""",
    )


async def _open(request: Request, checkout_id: str) -> tuple[LocalPaymentProvider, dict[str, Any]] | None:
    """The local provider and the session's state, or None (another provider, or no such session)."""
    local = _local(request)
    if local is None:
        return None
    try:
        return local, await run_in_threadpool(local.retrieve_checkout, checkout_id)
    except LookupError:
        return None


@router.get("/checkout/{checkout_id}", response_class=HTMLResponse)
async def checkout_page(checkout_id: str, request: Request) -> Response:
    found = await _open(request, checkout_id)
    if found is None:
        return _not_here()
    _, state = found
    if state["status"] != "open":
        return RedirectResponse(state["success_url"], status_code=303)
    return HTMLResponse(_checkout_page(state))


@router.post("/checkout/{checkout_id}/pay")
async def pay(
    checkout_id: str,
    request: Request,
    card: Annotated[str, Form(max_length=40)] = "",
    authenticated: Annotated[str | None, Form(max_length=3)] = None,
) -> Response:
    found = await _open(request, checkout_id)
    if found is None:
        return _not_here()
    local, state = found
    said = None if authenticated is None else authenticated == "yes"
    outcome = await run_in_threadpool(local.pay, checkout_id, card, said)
    await deliver(request, local)
    if outcome == "requires_action":
        return HTMLResponse(_checkout_page(state, authenticate=True))
    if outcome == "declined":
        return HTMLResponse(_checkout_page(state, "Your card was declined. Try another card."), status_code=402)
    return RedirectResponse(f"/checkout/return/{state['client_reference_id']}", status_code=303)


def _fulfil_and_return(context: AppContext, reference: str) -> str | None:
    with context.db.transaction() as session:
        row = session.get(CheckoutSession, reference)
        if row is None:
            return None
        fulfil(session, make_payment_provider(context.settings), row)
        return row.success_url


@router.get("/checkout/return/{reference}")
async def checkout_return(reference: str, request: Request) -> Response:
    """Where a paying learner comes back: fulfil now (never trusting the visit: the provider is
    asked), then on to the store's page."""
    success_url = await run_in_threadpool(_fulfil_and_return, request.app.state.context, reference[:40])
    return _not_here() if success_url is None else RedirectResponse(success_url, status_code=303)


def _back(request: Request, url: str) -> RedirectResponse:
    """A redirect only to this site (the addresses a link carries are the platform's own)."""
    site = request.app.state.context.settings.public_base_url
    try:
        target = check_return_url("return_url", url, site)
    except ValidationFailed:
        target = site.rstrip("/") + "/"
    return RedirectResponse(target, status_code=303)


@router.get("/connect/{link_id}", response_class=HTMLResponse)
async def onboarding_page(link_id: str, request: Request) -> Response:
    """An onboarding link's page; a used or expired link goes to its `refresh_url`, as on Stripe."""
    local = _local(request)
    if local is None:
        return _not_here()
    try:
        await run_in_threadpool(local.open_link, link_id[:80])
    except LinkExpired as expired:
        return _back(request, expired.refresh_url)
    except LookupError:
        return _not_here()
    body = f"""<p class="crumbs">Test onboarding · no real account</p><h1>Set up payments</h1>
<p>On Stripe you would give your business and bank details here.</p>
<form method="post" action="/connect/{escape(link_id)}"><button>Finish onboarding</button></form>"""
    return HTMLResponse(page("Set up payments", body))


@router.post("/connect/{link_id}")
async def finish_onboarding(link_id: str, request: Request) -> Response:
    local = _local(request)
    if local is None:
        return _not_here()
    try:
        link = await run_in_threadpool(local.onboard_by_link, link_id[:80])
    except LinkExpired as expired:
        return _back(request, expired.refresh_url)
    except LookupError:
        return _not_here()
    await deliver(request, local)
    return _back(request, link["return_url"])
