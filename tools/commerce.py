"""Commerce tools: what a store sells and what it earned (read), products and coupons (write), and
refunds (`money`: an agent's call waits for the owner's approval, an outside agent's becomes a
pending action unless its key may act unattended)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commerce import catalog, coupons, fees, kinds, refunds
from commerce.models import Order, Product
from commerce.providers.factory import make_payment_provider
from core.db import utcnow
from core.principal import ORDERS_READ, PRODUCTS_READ, PRODUCTS_WRITE, REFUNDS_WRITE
from core.tenancy import in_store
from tools.base import ToolContext, ToolInput
from tools.declare import ActionInput, ToolSet

TOOLS = ToolSet("commerce")


class PriceRef(BaseModel):
    id: str
    currency: str
    unit_amount: int
    interval: str | None
    min_amount: int | None


class ProductRef(BaseModel):
    id: str
    kind: str
    name: str
    status: str
    course_id: str | None
    prices: list[PriceRef]


def _product(session: Session, product: Product) -> ProductRef:
    prices = catalog.active_prices(session, product.id)
    return ProductRef(
        id=product.id,
        kind=product.kind,
        name=product.name,
        status=product.status,
        course_id=product.course_id,
        prices=[
            PriceRef(
                id=p.id, currency=p.currency, unit_amount=p.unit_amount, interval=p.interval, min_amount=p.min_amount
            )
            for p in prices
        ],
    )


class ListProductsIn(ToolInput):
    status: Literal["draft", "active", "archived"] | None = None


class ProductList(BaseModel):
    products: list[ProductRef]


@TOOLS.tool(scopes=(PRODUCTS_READ,))
def list_products(ctx: ToolContext, args: ListProductsIn) -> ProductList:
    """The store's products with their active prices (amounts in minor units, e.g. cents)."""
    with ctx.transaction() as session:
        page = catalog.list_products(session, ctx.principal, args.status, None, 100)
        return ProductList(products=[_product(session, p) for p in page.items])


class ProductIn(ToolInput):
    product_id: str


@TOOLS.tool(scopes=(PRODUCTS_READ,))
def get_product(ctx: ToolContext, args: ProductIn) -> ProductRef:
    """One product of the store and its active prices."""
    with ctx.transaction() as session:
        return _product(session, catalog.get_product(session, ctx.principal, args.product_id))


class CreateProductIn(ActionInput):
    kind: str = Field(description=f"One of {', '.join(kinds.NAMES)}.")
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=10_000)
    course_id: str | None = Field(default=None, description="The course a `course` product grants.")
    currency: str = Field(default="usd", min_length=3, max_length=3)
    unit_amount: int = Field(ge=1, description="The price in minor units (4900 = 49.00).")
    min_amount: int | None = Field(default=None, description="A tip's minimum (pay what you want).")
    interval: Literal["day", "week", "month", "year"] | None = Field(default=None, description="Memberships.")


@TOOLS.tool(scopes=(PRODUCTS_WRITE,), side_effect="write")
def create_product(ctx: ToolContext, args: CreateProductIn) -> ProductRef:
    """Create a product with one price, as a draft (the creator puts it on sale)."""
    with ctx.transaction() as session:
        product = catalog.create_product(
            session, ctx.principal, args.kind, args.name, args.description, course_id=args.course_id
        )
        catalog.create_price(
            session,
            ctx.principal,
            product.id,
            args.currency,
            args.unit_amount,
            args.interval,
            min_amount=args.min_amount,
        )
        return _product(session, product)


class UpdateProductIn(ActionInput):
    product_id: str
    name: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=10_000)
    status: Literal["draft", "active", "archived"] | None = None


@TOOLS.tool(scopes=(PRODUCTS_WRITE,), side_effect="write")
def update_product(ctx: ToolContext, args: UpdateProductIn) -> ProductRef:
    """Rename or describe a product, put it on sale (active) or withdraw it (archived)."""
    with ctx.transaction() as session:
        product = catalog.update_product(
            session, ctx.principal, args.product_id, args.name, args.description, args.status
        )
        return _product(session, product)


class CreateCouponIn(ActionInput):
    code: str = Field(min_length=3, max_length=40)
    percent_off: int | None = Field(default=None, ge=1, le=100)
    amount_off: int | None = Field(default=None, ge=1, description="Minor units, with `currency`.")
    currency: str | None = Field(default=None, min_length=3, max_length=3)
    product_ids: list[str] = Field(default_factory=list, max_length=100, description="Empty: every product.")
    expires_at: datetime | None = None
    max_redemptions: int | None = Field(default=None, ge=1)


class CouponRef(BaseModel):
    id: str
    code: str
    percent_off: int | None
    amount_off: int | None
    times_redeemed: int


@TOOLS.tool(scopes=(PRODUCTS_WRITE,), side_effect="write")
def create_coupon(ctx: ToolContext, args: CreateCouponIn) -> CouponRef:
    """Create a coupon: a percent or an amount off, for some products or all, with an expiry and a use limit."""
    with ctx.transaction() as session:
        fields = args.model_dump(exclude={"preview", "idempotency_key"})
        coupon = coupons.create_coupon(session, ctx.principal, **fields)
        return CouponRef.model_validate(coupon, from_attributes=True)


class OrderIn(ToolInput):
    order_id: str


class OrderRef(BaseModel):
    id: str
    status: str
    currency: str
    total: int
    platform_fee: int
    net: int
    amount_refunded: int
    disputed: bool
    created_at: datetime


@TOOLS.tool(scopes=(ORDERS_READ,))
def get_order(ctx: ToolContext, args: OrderIn) -> OrderRef:
    """One order of the store: what was paid, the platform's fee, the creator's net, refunds."""
    with ctx.transaction() as session:
        return OrderRef.model_validate(refunds.get_order(session, ctx.principal, args.order_id), from_attributes=True)


class RevenueIn(ToolInput):
    days: int = Field(default=30, ge=1, le=365)


class Revenue(BaseModel):
    currency: str
    orders: int
    gross: int
    refunded: int
    platform_fees: int
    net: int


class RevenueOut(BaseModel):
    days: int
    by_currency: list[Revenue]


@TOOLS.tool(scopes=(ORDERS_READ,))
def revenue_summary(ctx: ToolContext, args: RevenueIn) -> RevenueOut:
    """What the store earned over the last `days`, per currency: orders, paid, refunded, fees, net."""
    with ctx.transaction() as session:
        ctx.principal.require(ORDERS_READ)
        rows = session.execute(
            select(
                Order.currency,
                func.count(Order.id),
                func.sum(Order.total),
                func.sum(Order.amount_refunded),
                func.sum(Order.platform_fee - Order.fee_refunded),
            )
            .where(
                in_store(Order, ctx.principal),
                Order.created_at >= utcnow() - timedelta(days=args.days),
            )
            .group_by(Order.currency)
        ).all()
        return RevenueOut(
            days=args.days,
            by_currency=[
                Revenue(
                    currency=c,
                    orders=n,
                    gross=g or 0,
                    refunded=r or 0,
                    platform_fees=f or 0,
                    net=(g or 0) - (r or 0) - (f or 0),
                )
                for c, n, g, r, f in rows
            ],
        )


class RefundIn(ActionInput):
    order_id: str
    amount: int | None = Field(default=None, ge=1, description="Minor units; default: all that is left.")


class RefundPreview(BaseModel):
    order_id: str
    would_refund: int
    fee_returned: int
    access: Literal["revoked", "kept"]


def _preview_refund(ctx: ToolContext, args: RefundIn) -> RefundPreview:
    with ctx.transaction() as session:
        ctx.principal.require(REFUNDS_WRITE)
        order = refunds.get_order(session, ctx.principal, args.order_id)
        amount = args.amount or order.total - order.amount_refunded
        after = order.amount_refunded + amount
        returned = fees.fee_returned(order.platform_fee, order.total, after) - order.fee_refunded
        return RefundPreview(
            order_id=order.id,
            would_refund=amount,
            fee_returned=returned,
            access="revoked" if after >= order.total else "kept",
        )


@TOOLS.tool(scopes=(REFUNDS_WRITE,), side_effect="money", preview=_preview_refund)
def refund_order(ctx: ToolContext, args: RefundIn) -> OrderRef:
    """Refund an order in full (access is revoked) or in part (access is kept), with the platform's fee returned."""
    with ctx.transaction() as session:
        order = refunds.refund_order(
            session, ctx.principal, make_payment_provider(ctx.settings), args.order_id, args.amount
        )
        return OrderRef.model_validate(order, from_attributes=True)
