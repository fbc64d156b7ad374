"""A store that can sell (a local payment account with charges enabled), products with prices, and
the local provider's events delivered the way its page delivers them: signed, through the intake."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from commerce import accounts, catalog
from commerce.checkout import start_checkout
from commerce.models import CheckoutSession, PaymentAccount
from commerce.providers.factory import webhook_secrets
from commerce.providers.local import LocalPaymentProvider
from commerce.providers.stripe import StripeProvider
from commerce.tasks import run_event
from commerce.webhooks import intake
from commerce.webhooks.signature import sign
from core.db import Database
from core.principal import Principal
from core.settings import Settings
from tests.commerce.stripe_server import KEY, LoopbackStripe
from tests.conftest import StoreWorld, build_store, principal_of

MONTHLY = 1500  # a membership's price, minor units a month
SUCCESS_URL, CANCEL_URL = "http://127.0.0.1:8000/s/shop?paid=1", "http://127.0.0.1:8000/s/shop"


@dataclass
class Shop:
    world: StoreWorld
    learner: Principal
    provider: Provider
    product_id: str
    price_id: str


class StripeHarness(StripeProvider):
    """The Stripe adapter, plus the loopback Stripe's test hooks under the local provider's names."""

    def __init__(self, server: LoopbackStripe) -> None:
        super().__init__(KEY, server.url, max_network_retries=0)
        self.server = server

    def pay(self, checkout_id: str, card: str, authenticated: bool | None = None) -> str:
        return self.server.pay(checkout_id, card, authenticated)

    def dispute(self, charge_id: str) -> dict[str, Any]:
        return self.server.dispute(charge_id)

    def close_dispute(self, dispute_id: str, won: bool) -> dict[str, Any]:
        return self.server.close_dispute(dispute_id, won)

    def renew(self, subscription_id: str, pays: bool = True) -> str:
        return self.server.renew(subscription_id, pays)

    def end_subscription(self, subscription_id: str, status: str = "canceled") -> dict[str, Any]:
        return self.server.end_subscription(subscription_id, status)

    def finish_onboarding(self, account_id: str) -> dict[str, Any]:
        return self.server.finish_onboarding(account_id)

    def pending_events(self) -> list[dict[str, Any]]:
        return self.server.pending_events()

    def mark_delivered(self, event_id: str) -> None:
        self.server.mark_delivered(event_id)


Provider = LocalPaymentProvider | StripeHarness


def provider(db: Database, settings: Settings) -> Provider:
    """The provider the settings name, with its test hooks."""
    if settings.payments_provider == "stripe":
        from tests.commerce.conftest import SERVERS

        return StripeHarness(SERVERS[settings.stripe_api_base or ""])
    return LocalPaymentProvider(settings.data_dir, settings.public_base_url)


def enable_selling(db: Database, world: StoreWorld, local: Provider) -> PaymentAccount:
    with db.transaction() as s:
        account = accounts.connect(s, world.owner, local)
        account_id = account.account_id
    local.finish_onboarding(account_id)
    with db.transaction() as s:
        found = accounts.refresh(s, world.owner, local)
        assert found is not None and found.charges_enabled
        return found


def shop(db: Database, settings: Settings, slug: str = "shop", amount: int = 4999, selling: bool = True) -> Shop:
    """A store whose learner holds nothing yet, selling its course for `amount` cents."""
    world = build_store(db, slug, enroll_learner=False)
    local = provider(db, settings)
    if selling:
        enable_selling(db, world, local)
    with db.transaction() as s:
        product = catalog.create_product(s, world.owner, "course", "The course", course_id=world.course_id)
        price = catalog.create_price(s, world.owner, product.id, "usd", amount)
        catalog.update_product(s, world.owner, product.id, status="active")
        ids = product.id, price.id
    local.pending_events()  # onboarding's account.updated is not what these tests are about
    for e in local.pending_events():
        local.mark_delivered(e["id"])
    return Shop(world, principal_of(db, world.learner_email, world.store_id), local, *ids)


def member_shop(db: Database, settings: Settings) -> Shop:
    """A store selling its course alone, and a monthly membership that includes it."""
    s = shop(db, settings)
    with db.transaction() as session:
        tier = catalog.create_product(
            session, s.world.owner, "membership", "All access", bundle_product_ids=[s.product_id]
        )
        price = catalog.create_price(session, s.world.owner, tier.id, "usd", MONTHLY, interval="month")
        catalog.update_product(session, s.world.owner, tier.id, status="active")
        s.product_id, s.price_id = tier.id, price.id
    return s


def checkout(db: Database, settings: Settings, s: Shop, **kwargs: Any) -> CheckoutSession:
    with db.transaction() as session:
        row = start_checkout(
            session,
            s.learner,
            s.provider,
            kwargs.pop("product_id", s.product_id),
            kwargs.pop("price_id", s.price_id),
            SUCCESS_URL,
            CANCEL_URL,
            settings.platform_fee_bps,
            site=settings.public_base_url,
            **kwargs,
        )
        session.expunge(row)
        return row


def signed(settings: Settings, event: dict[str, Any]) -> tuple[bytes, str]:
    body = json.dumps(event).encode()
    return body, sign(body, webhook_secrets(settings)[0])


def store_event(db: Database, settings: Settings, event: dict[str, Any]) -> str:
    body, signature = signed(settings, event)
    with db.transaction() as session:
        row, _ = intake.receive(session, settings.payments_provider, body, signature, webhook_secrets(settings))
        return row.id


def deliver(db: Database, settings: Settings, local: Provider) -> list[str]:
    """Every pending event of the local provider, stored and processed in order; their statuses."""
    statuses = []
    for e in local.pending_events():
        row_id = store_event(db, settings, e)
        local.mark_delivered(e["id"])
        statuses.append(run_event(db, settings, row_id))
    return statuses


def process_received(db: Database, settings: Settings) -> list[str]:
    """Act on every stored event still `received`, in the order they came (what the job would do
    where the app under test runs no jobs); their statuses."""
    from sqlalchemy import select

    from commerce.models import PaymentEvent

    with db.transaction() as session:
        ids = list(
            session.scalars(
                select(PaymentEvent.id)
                .where(PaymentEvent.status == "received")
                .order_by(PaymentEvent.received_at, PaymentEvent.id)
            )
        )
    return [run_event(db, settings, row_id) for row_id in ids]


def another_learner(db: Database, store_id: str, email: str = "other@shop.example.com") -> str:
    """A second learner of the store, holding nothing; their email (the password is the tests' one)."""
    from core import identity
    from core.models import Store
    from tests.conftest import PASSWORD

    with db.transaction() as session:
        user = identity.create_user(session, email, PASSWORD, "Other")
        store = session.get(Store, store_id)
        assert store is not None
        identity.join_store_as_learner(session, user, store)
    return email


ALWAYS = [{"weekday": d, "start": "00:00", "end": "23:59"} for d in ("monday", "tuesday", "wednesday", "thursday",
                                                                     "friday", "saturday", "sunday")]  # fmt: skip


def coaching_shop(db: Database, settings: Settings, amount: int = 9000, **details: Any) -> Shop:
    """A shop selling hour-long coaching sessions, bookable any hour from now unless `details` say
    otherwise (its weekly hours, time zone, notice)."""
    s = shop(db, settings)
    with db.transaction() as session:
        product = catalog.create_product(
            session, s.world.owner, "coaching", "Mix review call",
            details={"hours": ALWAYS, "notice_hours": 0} | details,
        )  # fmt: skip
        price = catalog.create_price(session, s.world.owner, product.id, "usd", amount)
        catalog.update_product(session, s.world.owner, product.id, status="active")
        s.product_id, s.price_id = product.id, price.id
    return s


def first_free(db: Database, s: Shop, n: int = 0) -> datetime:
    """The product's `n`th free time from now."""
    from commerce import bookings
    from commerce.models import Product

    with db.transaction() as session:
        product = session.get(Product, s.product_id)
        assert product is not None
        return bookings.free_slots(session, product, 2)[n]
