"""The commerce tools: products and revenue for creators, and refunds as a `money` tool."""

from __future__ import annotations

from typing import Any

from core.db import Database
from core.settings import Settings
from tests.commerce.factories import Shop, checkout, deliver, shop
from tools.base import ToolContext
from tools.registry import build_registry


def bought(db: Database, settings: Settings) -> tuple[Shop, ToolContext, dict[str, Any]]:
    s = shop(db, settings)
    row = checkout(db, settings, s)
    s.provider.pay(row.provider_session_id or "", "4242424242424242")
    deliver(db, settings, s.provider)
    ctx = ToolContext(db=db, principal=s.world.owner, settings=settings, channel="http")
    orders = build_registry().invoke("revenue_summary", ctx, {"days": 30})
    return s, ctx, orders


def test_the_revenue_summary_counts_the_fee_and_the_net(db: Database, settings: Settings) -> None:
    _, _, revenue = bought(db, settings)
    assert revenue["by_currency"] == [
        {"currency": "usd", "orders": 1, "gross": 4999, "refunded": 0, "platform_fees": 500, "net": 4499}
    ]


def test_products_are_listed_with_their_prices(db: Database, settings: Settings) -> None:
    s = shop(db, settings)
    ctx = ToolContext(db=db, principal=s.world.owner, settings=settings)
    listed = build_registry().invoke("list_products", ctx, {"status": "active"})["products"]
    assert [(p["kind"], p["prices"][0]["unit_amount"]) for p in listed] == [("course", 4999)]


def test_a_refund_preview_says_what_would_happen_and_changes_nothing(db: Database, settings: Settings) -> None:
    _, ctx, _ = bought(db, settings)
    order_id = _order_id(db)
    preview = build_registry().invoke("refund_order", ctx, {"order_id": order_id, "preview": True})["changes"]
    assert preview["would_refund"] == 4999 and preview["fee_returned"] == 500 and preview["access"] == "revoked"
    assert build_registry().invoke("get_order", ctx, {"order_id": order_id})["amount_refunded"] == 0


def test_a_refund_with_an_idempotency_key_refunds_once(db: Database, settings: Settings) -> None:
    """Regression: with a key the registry holds its transaction while the tool asks the provider;
    the local provider in the platform's SQLite file waited on it until 'database is locked'."""
    _, ctx, _ = bought(db, settings)
    order_id = _order_id(db)
    registry = build_registry()
    first = registry.invoke("refund_order", ctx, {"order_id": order_id, "amount": 1000}, idempotency_key="r-1")
    again = registry.invoke("refund_order", ctx, {"order_id": order_id, "amount": 1000}, idempotency_key="r-1")
    assert first["amount_refunded"] == again["amount_refunded"] == 1000 and first["status"] == "partially_refunded"


def _order_id(db: Database) -> str:
    from sqlalchemy import select

    from commerce.models import Order

    with db.transaction() as s:
        found = s.scalar(select(Order.id))
        assert found is not None
        return found
