"""The embedded payment provider: a test checkout page served by the app, with the test cards people
know, that keeps its records in Stripe's shape and reports what happened as Stripe events, signed
with the webhook secret and posted to the same webhook endpoint Stripe would post to.

It is a separate system from the platform, as Stripe is: it keeps its records in its own SQLite file
in the data dir, and the platform learns of a payment only from its events (or by asking,
`retrieve_*`). The card rules are Stripe's test cards: 4242 4242 4242 4242 pays, 4000 0000 0000 0002
is declined, 4000 0025 0000 3155 asks for authentication first (the page's "Complete" or "Fail")."""

from __future__ import annotations

import math
import secrets
import time
from pathlib import Path
from typing import Any

from commerce.providers.base import CheckoutRequest, ProviderCheckout
from commerce.providers.local_records import LocalObject, event, new_id, provider_database
from commerce.providers.local_subscriptions import LocalSubscriptions

SUCCEEDS, DECLINED, AUTHENTICATES = "4242424242424242", "4000000000000002", "4000002500003155"
LINK_SECONDS = 15 * 60  # an onboarding link, as Stripe's account links: opened once, within minutes


class LinkExpired(Exception):
    """An onboarding link used or out of time: as Stripe does, the person goes to its `refresh_url`."""

    def __init__(self, refresh_url: str) -> None:
        super().__init__("this onboarding link has expired or was used")
        self.refresh_url = refresh_url


class LocalPaymentProvider(LocalSubscriptions):
    name = "local"

    def __init__(self, data_dir: Path, base_url: str) -> None:
        self.db = provider_database((data_dir / "local-payments.sqlite").resolve())
        self.base_url = base_url.rstrip("/")

    # --- the Protocol --------------------------------------------------------------------------

    def create_checkout(self, request: CheckoutRequest) -> ProviderCheckout:
        with self.db.transaction() as s:
            found = self._once(s, request.idempotency_key)
            if found is not None:
                return ProviderCheckout(found["id"], found["url"])
            checkout_id = new_id("cs")
            data: dict[str, Any] = {
                "id": checkout_id,
                "object": "checkout.session",
                "client_reference_id": request.reference,
                "amount_total": request.total,
                "currency": request.currency,
                "mode": "subscription" if request.interval else "payment",
                "status": "open",
                "payment_status": "unpaid",
                "payment_intent": None,
                "charge": None,
                "account": request.account_id,
                "application_fee_amount": request.platform_fee,
                "description": request.description,
                "customer_email": request.customer_email,
                "success_url": request.success_url,
                "cancel_url": request.cancel_url,
                "metadata": dict(request.metadata),
                "url": f"{self.base_url}/checkout/{checkout_id}",
                "subscription": None,
                "invoice": None,
                "expires_at": request.expires_at,
            }
            if request.interval:
                data["recurring"] = {"interval": request.interval, "interval_count": request.interval_count}
            self._put(s, "checkout.session", data)
            self._remember(s, request.idempotency_key, "checkout.session", checkout_id)
            return ProviderCheckout(checkout_id, data["url"])

    def retrieve_checkout(self, checkout_id: str) -> dict[str, Any]:
        with self.db.transaction() as s:
            return self._get(s, "checkout.session", checkout_id)

    def retrieve_charge(self, charge_id: str) -> dict[str, Any]:
        with self.db.transaction() as s:
            return self._get(s, "charge", charge_id)

    def retrieve_dispute(self, dispute_id: str) -> dict[str, Any]:
        with self.db.transaction() as s:
            return self._get(s, "dispute", dispute_id)

    def refund(self, charge_id: str, amount: int, idempotency_key: str) -> dict[str, Any]:
        with self.db.transaction() as s:
            found = self._once(s, idempotency_key)
            if found is not None:
                return found
            charge = self._get(s, "charge", charge_id)
            if charge.get("dispute_status") in ("needs_response", "lost"):
                raise ValueError("charge_disputed: a charge under or lost to a dispute cannot be refunded")
            if amount < 1 or charge["amount_refunded"] + amount > charge["amount"]:
                raise ValueError("amount_too_large: more than what is left of the charge")
            refund: dict[str, Any] = {"id": new_id("re"), "object": "refund", "amount": amount, "charge": charge_id}
            refund["status"] = "succeeded"
            charge["amount_refunded"] += amount
            charge["refunded"] = charge["amount_refunded"] == charge["amount"]
            charge["refunds"] = [*charge.get("refunds", []), refund["id"]]
            self._put(s, "refund", refund)
            self._put(s, "charge", charge)
            self._remember(s, idempotency_key, "refund", refund["id"])
            self._outbox(s, [event("refund.created", refund), event("charge.refunded", charge)])
            return refund

    def create_account(self, store_id: str, email: str, idempotency_key: str) -> dict[str, Any]:
        with self.db.transaction() as s:
            found = self._once(s, idempotency_key)
            if found is not None:
                return found
            account: dict[str, Any] = {
                "id": new_id("acct"),
                "object": "account",
                "email": email,
                "metadata": {"store_id": store_id},
                "charges_enabled": False,
                "payouts_enabled": False,
                "details_submitted": False,
            }
            self._put(s, "account", account)
            self._remember(s, idempotency_key, "account", account["id"])
            return account

    def retrieve_account(self, account_id: str) -> dict[str, Any]:
        with self.db.transaction() as s:
            return self._get(s, "account", account_id)

    def onboarding_link(self, account_id: str, return_url: str, refresh_url: str) -> str:
        """A single-use link that expires, naming an unguessable link rather than the account (anyone
        who knew an `acct_local_…` id could finish another store's onboarding)."""
        link = {"id": f"acctlink_{secrets.token_urlsafe(24)}", "object": "account_link", "account": account_id,
                "return_url": return_url, "refresh_url": refresh_url, "used": False,
                "expires_at": int(time.time()) + LINK_SECONDS}  # fmt: skip
        with self.db.transaction() as s:
            self._get(s, "account", account_id)
            self._put(s, "account_link", link)
        return f"{self.base_url}/connect/{link['id']}"

    def open_link(self, link_id: str) -> dict[str, Any]:
        """A link that may still be used (`LookupError` if there is none, `LinkExpired` if not)."""
        with self.db.transaction() as s:
            link = self._get(s, "account_link", link_id)
        if link["used"] or link["expires_at"] <= time.time():
            raise LinkExpired(link["refresh_url"])
        return link

    def onboard_by_link(self, link_id: str) -> dict[str, Any]:
        """Finish the account's onboarding through its link, which is then used; the link."""
        with self.db.transaction() as s:
            link = self._get(s, "account_link", link_id)
            if link["used"] or link["expires_at"] <= time.time():
                raise LinkExpired(link["refresh_url"])
            self._put(s, "account_link", link | {"used": True})
        self.finish_onboarding(link["account"])
        return link

    # --- what the test pages do -------------------------------------------------------------------

    def pending_events(self) -> list[dict[str, Any]]:
        with self.db.transaction() as s:
            rows = s.query(LocalObject).filter(LocalObject.kind == "event").order_by(LocalObject.created_at).all()
            return [r.data["event"] for r in rows if not r.data["delivered"]]

    def mark_delivered(self, event_id: str) -> None:
        with self.db.transaction() as s:
            row = self._get(s, "event", event_id)
            self._put(s, "event", row | {"delivered": True})

    def finish_onboarding(self, account_id: str) -> dict[str, Any]:
        with self.db.transaction() as s:
            account = self._get(s, "account", account_id)
            account |= {"charges_enabled": True, "payouts_enabled": True, "details_submitted": True}
            self._put(s, "account", account)
            self._outbox(s, [event("account.updated", account)])
            return account

    def pay(self, checkout_id: str, card: str, authenticated: bool | None = None) -> str:
        """Try a card on an open session: `paid`, `declined`, or `requires_action` (the page asks
        for authentication, then calls again with `authenticated`)."""
        card = "".join(ch for ch in card if ch.isdigit())
        with self.db.transaction() as s:
            checkout = self._get(s, "checkout.session", checkout_id)
            if checkout["status"] == "open" and (checkout.get("expires_at") or math.inf) <= time.time():
                checkout["status"] = "expired"  # what Stripe does at `expires_at`: the page takes no card
                self._put(s, "checkout.session", checkout)
                self._outbox(s, [event("checkout.session.expired", checkout)])
            if checkout["status"] != "open":
                return "paid" if checkout["payment_status"] != "unpaid" else "expired"
            intent = checkout.get("payment_intent") or new_id("pi")
            checkout["payment_intent"] = intent
            failed = card == DECLINED or (card == AUTHENTICATES and authenticated is False)
            if card not in (SUCCEEDS, DECLINED, AUTHENTICATES):
                failed = True
            if card == AUTHENTICATES and authenticated is None:
                self._put(s, "checkout.session", checkout)
                return "requires_action"
            if failed:
                self._put(s, "checkout.session", checkout)
                error = {"code": "card_declined", "message": "Your card was declined."}
                pi = {"id": intent, "object": "payment_intent", "status": "requires_payment_method"}
                pi["metadata"] = checkout["metadata"]
                self._outbox(s, [event("payment_intent.payment_failed", pi | {"last_payment_error": error})])
                return "declined"
            amount, fee = checkout["amount_total"], checkout["application_fee_amount"]
            charge = self._charge(s, amount, checkout["currency"], fee, checkout["account"], intent)
            checkout |= {"status": "complete", "payment_status": "paid", "charge": charge["id"]}
            pi = {"id": intent, "object": "payment_intent", "status": "succeeded", "latest_charge": charge["id"]}
            events = [event("charge.succeeded", charge), event("payment_intent.succeeded", pi)]
            if checkout["mode"] == "subscription":
                events += self._subscribe(s, checkout, charge)
            self._put(s, "checkout.session", checkout)
            self._outbox(s, [*events, event("checkout.session.completed", checkout)])
            return "paid"

    def dispute(self, charge_id: str) -> dict[str, Any]:
        """What a bank's chargeback looks like (for tests and the demo): the charge is disputed."""
        with self.db.transaction() as s:
            charge = self._get(s, "charge", charge_id)
            dispute = {"id": new_id("dp"), "object": "dispute", "charge": charge_id, "status": "needs_response"}
            dispute["amount"] = charge["amount"] - charge["amount_refunded"]
            charge |= {"disputed": True, "dispute_status": dispute["status"]}
            self._put(s, "charge", charge)
            self._put(s, "dispute", dispute)
            self._outbox(s, [event("charge.dispute.created", dispute)])
            return dispute

    def close_dispute(self, dispute_id: str, won: bool) -> dict[str, Any]:
        with self.db.transaction() as s:
            dispute = self._get(s, "dispute", dispute_id)
            dispute["status"] = "won" if won else "lost"
            charge = self._get(s, "charge", dispute["charge"])
            charge["dispute_status"] = dispute["status"]
            self._put(s, "dispute", dispute)
            self._put(s, "charge", charge)
            self._outbox(s, [event("charge.dispute.closed", dispute)])
            return dispute
