"""Stripe, on the official SDK (`stripe.StripeClient`): Checkout Sessions as Connect destination
charges (the creator's connected account receives the payment, the platform keeps
`application_fee_amount`, or `application_fee_percent` on a subscription), refunds that give back the
fee and reverse the transfer, Express accounts with their onboarding links. Every POST carries an
`Idempotency-Key`, so a retried call (ours, or the SDK's own network retries) acts once.

Objects come back normalised to the shape `base.py` names, so the event processor never sees which
provider it talks to. `api_base` points the SDK elsewhere (the tests' loopback Stripe)."""

from __future__ import annotations

import hashlib
import time
from typing import Any, cast

import stripe

from commerce.providers.base import CheckoutRequest, ProviderCheckout
from core.errors import AppError


class ProviderUnavailable(AppError):
    status, code, title = 502, "payment-provider-error", "The payment provider did not answer"


def _plain(obj: Any) -> dict[str, Any]:
    return cast(dict[str, Any], obj.to_dict() if hasattr(obj, "to_dict") else dict(obj))


class StripeProvider:
    name = "stripe"

    def __init__(self, api_key: str, api_base: str | None = None, max_network_retries: int = 2) -> None:
        addresses: Any = {"api": api_base, "connect": api_base, "files": api_base} if api_base else None
        self.client = stripe.StripeClient(api_key, base_addresses=addresses, max_network_retries=max_network_retries)

    def _call(self, action: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return action(*args, **kwargs)
        except stripe.InvalidRequestError as exc:
            raise ValueError(f"{exc.code or 'invalid_request'}: {exc.user_message or exc}") from exc
        except stripe.StripeError as exc:
            raise ProviderUnavailable(f"Stripe answered: {exc.user_message or exc}") from exc

    def create_checkout(self, request: CheckoutRequest) -> ProviderCheckout:
        price_data: dict[str, Any] = {
            "currency": request.currency,
            "unit_amount": request.total,
            "product_data": {"name": request.description[:250] or "Purchase"},
        }
        transfer = {"destination": request.account_id}
        params: dict[str, Any] = {
            "mode": "subscription" if request.interval else "payment",
            "client_reference_id": request.reference,
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "line_items": [{"quantity": 1, "price_data": price_data}],
            "metadata": dict(request.metadata),
        }
        if request.expires_at is not None:
            params["expires_at"] = request.expires_at
        if request.customer_email:
            params["customer_email"] = request.customer_email
        if request.interval:
            price_data["recurring"] = {"interval": request.interval, "interval_count": request.interval_count}
            params["subscription_data"] = {
                "application_fee_percent": request.fee_percent,
                "transfer_data": transfer,
                "metadata": dict(request.metadata),
            }
        else:
            params["payment_intent_data"] = {
                "application_fee_amount": request.platform_fee,
                "transfer_data": transfer,
                "metadata": dict(request.metadata),
            }
        session = self._call(
            self.client.v1.checkout.sessions.create, params, options={"idempotency_key": request.idempotency_key}
        )
        return ProviderCheckout(session.id, session.url or "")

    def retrieve_checkout(self, checkout_id: str) -> dict[str, Any]:
        session = _plain(
            self._call(self.client.v1.checkout.sessions.retrieve, checkout_id, {"expand": ["payment_intent"]})
        )
        intent = session.get("payment_intent")
        if isinstance(intent, dict):
            session["charge"] = intent.get("latest_charge")
            session["payment_intent"] = intent.get("id")
        else:
            session.setdefault("charge", None)
        session.setdefault("subscription", None)
        if session.get("mode") == "subscription" and session.get("invoice"):  # paid through its first invoice
            invoice = self.retrieve_invoice(str(session["invoice"]))
            session["payment_intent"], session["charge"] = invoice["payment_intent"], invoice["charge"]
        return session

    def retrieve_subscription(self, subscription_id: str) -> dict[str, Any]:
        sub = _plain(self._call(self.client.v1.subscriptions.retrieve, subscription_id))
        items = (sub.get("items") or {}).get("data") or [{}]
        # Since API 2025-03-31 the period lives on the subscription's items.
        period_end = items[0].get("current_period_end") or sub.get("current_period_end")
        return {
            "id": sub["id"],
            "status": sub.get("status"),
            "current_period_end": period_end,
            "cancel_at_period_end": bool(sub.get("cancel_at_period_end")),
            "ended_at": sub.get("ended_at"),
            "metadata": sub.get("metadata") or {},
        }

    def retrieve_invoice(self, invoice_id: str) -> dict[str, Any]:
        invoice = _plain(self._call(self.client.v1.invoices.retrieve, invoice_id, {"expand": ["payments"]}))
        details = ((invoice.get("parent") or {}).get("subscription_details")) or {}
        intent_id = next(
            (
                p["payment"]["payment_intent"]
                for p in (invoice.get("payments") or {}).get("data", [])
                if (p.get("payment") or {}).get("payment_intent") and p.get("status") == "paid"
            ),
            None,
        )
        charge = None
        if intent_id:
            charge = _plain(self._call(self.client.v1.payment_intents.retrieve, intent_id)).get("latest_charge")
        return {
            "id": invoice["id"],
            "status": invoice.get("status"),
            "amount_paid": invoice.get("amount_paid", 0),
            "currency": invoice.get("currency"),
            "billing_reason": invoice.get("billing_reason"),
            "subscription": details.get("subscription"),
            "payment_intent": intent_id,
            "charge": charge,
        }

    def cancel_subscription(self, subscription_id: str, idempotency_key: str) -> dict[str, Any]:
        self._call(
            self.client.v1.subscriptions.update,
            subscription_id,
            {"cancel_at_period_end": True},
            options={"idempotency_key": idempotency_key},
        )
        return self.retrieve_subscription(subscription_id)

    def retrieve_charge(self, charge_id: str) -> dict[str, Any]:
        return _plain(self._call(self.client.v1.charges.retrieve, charge_id))

    def retrieve_dispute(self, dispute_id: str) -> dict[str, Any]:
        return _plain(self._call(self.client.v1.disputes.retrieve, dispute_id))

    def refund(self, charge_id: str, amount: int, idempotency_key: str) -> dict[str, Any]:
        params = {"charge": charge_id, "amount": amount, "refund_application_fee": True, "reverse_transfer": True}
        refund = self._call(self.client.v1.refunds.create, params, options={"idempotency_key": idempotency_key})
        return _plain(refund)

    def create_account(self, store_id: str, email: str, idempotency_key: str) -> dict[str, Any]:
        params: dict[str, Any] = {
            "type": "express",
            "metadata": {"store_id": store_id},
            "capabilities": {"card_payments": {"requested": True}, "transfers": {"requested": True}},
        }
        if email:
            params["email"] = email
        return _plain(self._call(self.client.v1.accounts.create, params, options={"idempotency_key": idempotency_key}))

    def retrieve_account(self, account_id: str) -> dict[str, Any]:
        return _plain(self._call(self.client.v1.accounts.retrieve, account_id))

    def onboarding_link(self, account_id: str, return_url: str, refresh_url: str) -> str:
        params = {"account": account_id, "type": "account_onboarding", "return_url": return_url,
                  "refresh_url": refresh_url}  # fmt: skip
        # A link is single-use and short-lived: one per account, address and minute, so a double click
        # (or the SDK's retry) gets the same link rather than two.
        key = hashlib.sha256(f"{account_id}|{return_url}|{int(time.time() // 60)}".encode()).hexdigest()
        link = self._call(self.client.v1.account_links.create, params, options={"idempotency_key": f"link:{key}"})
        return str(link.url)
