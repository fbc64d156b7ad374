"""Paying: a learner's checkout, orders and refunds, the store's payment account, and the webhook
the payment provider (Stripe, or the local provider) reports to."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from api.deps import DB, Caller, Context, Idem
from api.gate import Gated, gated
from api.paging import DEFAULT_LIMIT, Cursor, Limit
from api.routing import v1_router
from api.schemas import Input, Output, PageOut
from commerce import accounts, receipts, refunds
from commerce.catalog import MAX_AMOUNT
from commerce.checkout import start_checkout
from commerce.providers.base import PaymentProvider
from commerce.providers.factory import make_payment_provider, webhook_secrets
from commerce.tasks import request_drain
from commerce.webhooks import intake
from commerce.webhooks.signature import SignatureError
from core.context import AppContext
from core.errors import BadRequest
from core.models import Store

router = v1_router(tags=["payments"])
log = logging.getLogger("academy.commerce")


def provider(context: Context) -> PaymentProvider:
    return make_payment_provider(context.settings)


Provider = Annotated[PaymentProvider, Depends(provider)]


class CheckoutCreate(Input):
    product_id: str = Field(max_length=40)
    price_id: str = Field(max_length=40)
    coupon: str | None = Field(default=None, max_length=40)
    amount: int | None = Field(
        default=None, ge=1, le=MAX_AMOUNT, description="A tip's amount in minor units (pay what you want)."
    )
    currency: str | None = Field(default=None, min_length=3, max_length=3, description="Checked against the price.")
    success_url: str | None = Field(
        default=None,
        max_length=2000,
        description="Where the learner lands once paid: a path on this site (`/s/…`), or an https address on one of "
        "the store's `site_domains`. Default: the store's page.",
    )
    cancel_url: str | None = Field(default=None, max_length=2000, description="The same rule as `success_url`.")
    starts_at: datetime | None = Field(
        default=None, description="A coaching session's time: one of `GET /v1/products/{id}/slots`."
    )


class CheckoutOut(Output):
    id: str
    url: str
    status: str
    currency: str
    gross: int
    discount: int
    total: int
    platform_fee: int


class OrderOut(Output):
    id: str
    user_id: str
    status: str
    currency: str
    gross: int
    discount: int
    total: int
    platform_fee: int
    net: int
    amount_refunded: int
    fee_refunded: int
    disputed: bool
    created_at: datetime


class OrderLineOut(Output):
    product_id: str
    price_id: str
    description: str
    quantity: int
    gross: int
    discount: int
    platform_fee: int
    net: int


class OrderHistoryOut(Output):
    kind: str = Field(description="purchase.completed, payment.failed, refund, dispute.<status>")
    label: str = Field(description="What the kind is called on the receipt page.")
    amount: int | None = Field(description="Minor units: what was paid, or what has been refunded in all.")
    created_at: datetime


class OrderDetailOut(OrderOut):
    lines: list[OrderLineOut]
    history: list[OrderHistoryOut] = Field(description="Oldest first; a declined attempt before the payment too.")


class RefundCreate(Input):
    amount: int | None = Field(default=None, ge=1, le=MAX_AMOUNT, description="Minor units; default: all that is left.")


class AccountOut(Output):
    provider: str
    account_id: str
    charges_enabled: bool
    payouts_enabled: bool
    details_submitted: bool


class OnboardingOut(Output):
    account: AccountOut
    onboarding_url: str


@router.post("/checkout", response_model=CheckoutOut, status_code=201, summary="Start paying for a product")
def checkout(
    body: CheckoutCreate, caller: Caller, session: DB, idem: Idem, context: Context, pay: Provider
) -> Response:
    back = f"{context.settings.public_base_url}/s/"

    def action() -> CheckoutOut:
        store_row = session.get(Store, caller.require_store())
        store = store_row.slug if store_row else ""
        row = start_checkout(
            session,
            caller,
            pay,
            body.product_id,
            body.price_id,
            body.success_url or f"{back}{store}?checkout=done",
            body.cancel_url or f"{back}{store}?checkout=cancelled",
            context.settings.platform_fee_bps,
            coupon=body.coupon,
            amount=body.amount,
            currency=body.currency,
            starts_at=body.starts_at,
            site=context.settings.public_base_url,
        )
        return CheckoutOut.model_validate(row)

    return idem.run(body, action)


@router.get("/orders", response_model=PageOut[OrderOut], summary="Orders: the store's, or a learner's own")
def list_orders(
    caller: Caller,
    session: DB,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> PageOut[OrderOut]:
    page = refunds.list_orders(session, caller, cursor, limit)
    return PageOut[OrderOut](data=[OrderOut.model_validate(o) for o in page.items], next_cursor=page.next_cursor)


@router.get("/orders/{order_id}", response_model=OrderDetailOut, summary="An order, its lines and its history")
def get_order(order_id: str, caller: Caller, session: DB) -> OrderDetailOut:
    found = receipts.receipt(session, caller, order_id)
    history = [
        OrderHistoryOut(kind=e.kind, label=receipts.label(e), amount=receipts.amount_of(e), created_at=e.created_at)
        for e in found.history
    ]
    return OrderDetailOut.model_validate(
        {
            **OrderOut.model_validate(found.order).model_dump(),
            "lines": [OrderLineOut.model_validate(line) for line in found.lines],
            "history": history,
        }
    )


@router.post(
    "/orders/{order_id}/refund",
    response_model=OrderOut,
    summary="Refund an order, in full or in part",
    **gated("refund_order"),
)
def refund(order_id: str, body: RefundCreate, caller: Caller, session: DB, pay: Provider, gate: Gated) -> Any:
    arguments = {"order_id": order_id, "amount": body.amount}
    if (pending := gate.hold("refund_order", arguments)) is not None:
        return pending
    order = refunds.refund_order(session, caller, pay, order_id, body.amount)
    gate.done(session, "refund_order", arguments, {"order_id": order.id, "amount_refunded": order.amount_refunded})
    return order


@router.post("/payments/account", response_model=OnboardingOut, summary="Connect the store to the payment provider")
def connect(caller: Caller, session: DB, context: Context, pay: Provider) -> OnboardingOut:
    account = accounts.connect(session, caller, pay)
    back = f"{context.settings.public_base_url}/v1/payments/account"
    return OnboardingOut(
        account=AccountOut.model_validate(account), onboarding_url=pay.onboarding_link(account.account_id, back, back)
    )


@router.get("/payments/account", response_model=AccountOut | None, summary="The store's payment account, refreshed")
def account_status(caller: Caller, session: DB, pay: Provider) -> AccountOut | None:
    account = accounts.refresh(session, caller, pay)
    return AccountOut.model_validate(account) if account else None


def receive_event(context: AppContext, payload: bytes, signature: str | None) -> tuple[str, bool]:
    """Store the event (committed before the answer) and ask for a drain; (its row id, whether new)."""
    with context.db.transaction() as session:
        row, new = intake.receive(
            session, context.settings.payments_provider, payload, signature, webhook_secrets(context.settings)
        )
        row_id = row.id
    if new:
        request_drain()
    return row_id, new


@router.post("/webhooks/stripe", summary="The payment provider's events (Stripe's, or the local provider's)")
async def stripe_webhook(
    request: Request, context: Context, signature: Annotated[str | None, Header(alias="Stripe-Signature")] = None
) -> dict[str, object]:
    payload = await request.body()
    try:
        row_id, new = await run_in_threadpool(receive_event, context, payload, signature)
    except SignatureError as exc:
        log.warning("refused a payment webhook: %s", exc)
        raise BadRequest(f"the signature does not verify: {exc}") from exc
    return {"received": True, "duplicate": not new, "id": row_id}
