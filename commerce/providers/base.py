"""What a payment provider does for the platform. Objects come back as plain dicts in Stripe's shape
(`id`, `status`, `payment_status`, `payment_intent`, `amount_refunded`, …) so the event processor reads
one shape whichever provider sent it, and re-reads the current state through `retrieve_*` before acting
(events arrive at least once and in any order)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class CheckoutRequest:
    reference: str  # our checkout session id: the provider keeps it as client_reference_id
    account_id: str  # the store's connected account (destination of the charge)
    currency: str
    total: int  # what the buyer pays, minor units, after discounts
    platform_fee: int
    fee_percent: float  # recurring prices take a percentage, not an amount
    description: str
    interval: str | None  # None: a one-time payment; else a subscription
    interval_count: int
    success_url: str
    cancel_url: str
    customer_email: str
    idempotency_key: str
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ProviderCheckout:
    id: str
    url: str


class PaymentProvider(Protocol):
    name: str

    def create_checkout(self, request: CheckoutRequest) -> ProviderCheckout: ...

    def retrieve_checkout(self, checkout_id: str) -> dict[str, Any]: ...

    def retrieve_charge(self, charge_id: str) -> dict[str, Any]: ...

    def retrieve_dispute(self, dispute_id: str) -> dict[str, Any]: ...

    def refund(self, charge_id: str, amount: int, idempotency_key: str) -> dict[str, Any]: ...

    def create_account(self, store_id: str, email: str, idempotency_key: str) -> dict[str, Any]: ...

    def retrieve_account(self, account_id: str) -> dict[str, Any]: ...

    def onboarding_link(self, account_id: str, return_url: str, refresh_url: str) -> str: ...
