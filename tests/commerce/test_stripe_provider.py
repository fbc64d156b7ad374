"""The Stripe adapter on the real `stripe` SDK against the loopback Stripe: what it sends (destination
charges, the fee, idempotency keys, refunds that return the fee) and how Stripe's errors come back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from commerce.providers.base import CheckoutRequest
from commerce.providers.stripe import ProviderUnavailable, StripeProvider
from tests.commerce.stripe_server import KEY, LoopbackStripe, loopback_stripe


@pytest.fixture
def server() -> Iterator[LoopbackStripe]:
    with loopback_stripe() as running:
        yield running


def request(interval: str | None = None, key: str = "checkout:chk_1") -> CheckoutRequest:
    return CheckoutRequest(
        reference="chk_1", account_id="acct_test_creator", currency="usd", total=4999, platform_fee=500,
        fee_percent=10.0, description="The course", interval=interval, interval_count=1,
        success_url="http://127.0.0.1:8000/checkout/return/chk_1", cancel_url="http://127.0.0.1:8000/s/shop",
        customer_email="learner@example.com", idempotency_key=key, metadata={"checkout_session_id": "chk_1"},
    )  # fmt: skip


def posted(server: LoopbackStripe, path: str) -> list[tuple[dict, dict]]:
    return [(params, headers) for method, p, params, headers in server.requests if method == "POST" and p == path]


def test_a_checkout_is_a_destination_charge_keeping_the_fee(server: LoopbackStripe) -> None:
    made = StripeProvider(KEY, server.url).create_checkout(request())
    assert made.id.startswith("cs_test_") and made.url.endswith(made.id)
    params, headers = posted(server, "/v1/checkout/sessions")[0]
    assert params["mode"] == "payment" and params["client_reference_id"] == "chk_1"
    assert params["payment_intent_data"]["application_fee_amount"] == "500"
    assert params["payment_intent_data"]["transfer_data"]["destination"] == "acct_test_creator"
    assert params["line_items"][0]["price_data"]["unit_amount"] == "4999"
    assert headers["Idempotency-Key"] == "checkout:chk_1"


def test_a_subscription_takes_the_fee_as_a_percentage(server: LoopbackStripe) -> None:
    StripeProvider(KEY, server.url).create_checkout(request(interval="month"))
    params, _ = posted(server, "/v1/checkout/sessions")[0]
    assert params["mode"] == "subscription" and params["subscription_data"]["application_fee_percent"] == "10.0"
    assert params["line_items"][0]["price_data"]["recurring"]["interval"] == "month"


def test_a_retried_post_is_replayed_not_repeated(server: LoopbackStripe) -> None:
    stripe = StripeProvider(KEY, server.url)
    first, again = stripe.create_checkout(request()), stripe.create_checkout(request())
    assert first.id == again.id and sum(o["object"] == "checkout.session" for o in server.objects.values()) == 1


def test_a_paid_session_reads_back_its_intent_and_charge(server: LoopbackStripe) -> None:
    stripe = StripeProvider(KEY, server.url)
    made = stripe.create_checkout(request())
    assert server.pay(made.id, "4242424242424242") == "paid"
    state = stripe.retrieve_checkout(made.id)
    assert (state["status"], state["payment_status"]) == ("complete", "paid")
    assert state["payment_intent"].startswith("pi_test_") and state["charge"].startswith("ch_test_")


def test_a_refund_returns_the_fee_and_reverses_the_transfer(server: LoopbackStripe) -> None:
    stripe = StripeProvider(KEY, server.url)
    made = stripe.create_checkout(request())
    server.pay(made.id, "4242424242424242")
    charge = stripe.retrieve_checkout(made.id)["charge"]
    refund = stripe.refund(charge, 1000, "refund:ord_1:0:1000")
    assert refund["amount"] == 1000 and refund["reverse_transfer"] and refund["refund_application_fee"]
    assert stripe.retrieve_charge(charge)["amount_refunded"] == 1000
    with pytest.raises(ValueError, match="amount_too_large"):
        stripe.refund(charge, 5000, "refund:ord_1:1000:5000")


def test_stripes_errors_come_back_as_clear_errors(server: LoopbackStripe) -> None:
    with pytest.raises(ValueError, match="resource_missing"):
        StripeProvider(KEY, server.url).retrieve_charge("ch_missing")
    with pytest.raises(ProviderUnavailable, match="Invalid API Key"):
        StripeProvider("sk_test_wrong", server.url, max_network_retries=0).retrieve_charge("ch_missing")
