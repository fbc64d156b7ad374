"""What a payment provider does for the platform. Objects come back as plain dicts in Stripe's shape
(`id`, `status`, `payment_status`, `payment_intent`, `amount_refunded`, …) so the event processor reads
one shape whichever provider sent it, and re-reads the current state through `retrieve_*` before acting
(events arrive at least once and in any order).

Subscriptions come back flattened the same way whichever provider answers: a subscription as `id`,
`status`, `current_period_end` (epoch seconds), `cancel_at_period_end`, `ended_at`; an invoice as `id`,
`status`, `amount_paid`, `currency`, `billing_reason`, `subscription`, `payment_intent`, `charge`; a
checkout session of a subscription also names its `subscription` and first `invoice`."""

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
    expires_at: int | None = None  # Unix seconds: no payment is taken after it


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

    def retrieve_subscription(self, subscription_id: str) -> dict[str, Any]: ...

    def retrieve_invoice(self, invoice_id: str) -> dict[str, Any]: ...

    def cancel_subscription(self, subscription_id: str, idempotency_key: str) -> dict[str, Any]:
        """Cancel at the end of the period already paid for (the member keeps it until then)."""
        ...
