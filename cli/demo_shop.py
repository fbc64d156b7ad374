"""The demo store's shop: a payment account on the local provider (onboarded), the demo course on
sale alone and in a monthly membership, an hour of coaching to book, and a buyer who holds nothing
yet, so a fresh install can sell the course (or a subscription to it, or a lesson) end to end."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from commerce import accounts, catalog
from commerce.models import Product
from commerce.providers.local import LocalPaymentProvider
from core import identity
from core.db import Database
from core.models import Store
from core.principal import Principal
from core.settings import Settings
from core.tenancy import in_store, select_in_store

BUYER_EMAIL = "buyer@demo.academy"
BUYER_PASSWORD = "demo-buyer-pass"  # noqa: S105 (demo account, printed on start)
DEMO_PRICE = 4900  # 49.00 USD
MEMBERSHIP_PRICE = 1200  # 12.00 USD a month, for everything the store sells
COACHING_PRICE = 6000  # 60.00 USD for an hour, booked on the store page (weekday office hours, UTC)


@dataclass(frozen=True)
class DemoShop:
    product_id: str
    price_id: str


def ensure_demo_shop(db: Database, settings: Settings, store_id: str, owner_id: str, course_id: str) -> DemoShop | None:
    """Idempotent. Only on the local provider: a Stripe store is onboarded by its creator."""
    if settings.payments_provider != "local":
        return None
    local = LocalPaymentProvider(settings.data_dir, settings.public_base_url)
    owner = Principal.system(store_id, user_id=owner_id)
    with db.transaction() as s:  # the provider writes in its own transactions: ours only reads until it has
        account = accounts.connect(s, owner, local)
        account_id, enabled = account.account_id, account.charges_enabled
    if not enabled:
        local.finish_onboarding(account_id)
        for event in local.pending_events():  # nothing listens yet; the account is read again below
            local.mark_delivered(event["id"])
    with db.transaction() as s:
        accounts.refresh(s, owner, local)
        store = s.get(Store, store_id)
        assert store is not None
        buyer = identity.get_user_by_email(s, BUYER_EMAIL) or identity.create_user(
            s, BUYER_EMAIL, BUYER_PASSWORD, "Demo Buyer"
        )
        identity.join_store_as_learner(s, buyer, store)
        product = s.scalar(select_in_store(Product, store_id).where(Product.course_id == course_id))
        if product is None:
            product = catalog.create_product(
                s, owner, "course", "The demo course", "The whole course, its lessons and its assistant.", course_id
            )
            catalog.create_price(s, owner, product.id, "usd", DEMO_PRICE)
            catalog.update_product(s, owner, product.id, status="active")
        if s.scalar(select(Product.id).where(in_store(Product, store_id), Product.kind == "membership")) is None:
            tier = catalog.create_product(
                s, owner, "membership", "All access", "Every course of the store, for as long as you stay.",
                bundle_product_ids=[product.id],
            )  # fmt: skip
            catalog.create_price(s, owner, tier.id, "usd", MEMBERSHIP_PRICE, interval="month", nickname="Monthly")
            catalog.update_product(s, owner, tier.id, status="active")
        if s.scalar(select(Product.id).where(in_store(Product, store_id), Product.kind == "coaching")) is None:
            call = catalog.create_product(
                s, owner, "coaching", "One-to-one theory lesson",
                "An hour on a video call with the course's author: bring your questions or a piece to analyse.",
                details={"duration_minutes": 60, "timezone": "UTC", "notice_hours": 12},
            )  # fmt: skip
            catalog.create_price(s, owner, call.id, "usd", COACHING_PRICE)
            catalog.update_product(s, owner, call.id, status="active")
        price = catalog.active_prices(s, product.id)[0]
        return DemoShop(product.id, price.id)
