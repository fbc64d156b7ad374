"""The embedded payment provider: a test checkout page served by the app, with the test cards people
know, that keeps its records in Stripe's shape and reports what happened as Stripe events, signed
with the webhook secret and posted to the same webhook endpoint Stripe would post to.

It is a separate system from the platform, as Stripe is: it keeps its records in its own SQLite file
in the data dir, and the platform learns of a payment only from its events (or by asking,
`retrieve_*`). The card rules are Stripe's test cards: 4242 4242 4242 4242 pays, 4000 0000 0000 0002
is declined, 4000 0025 0000 3155 asks for authentication first (the page's "Complete" or "Fail")."""

from __future__ import annotations

import secrets
import time
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from commerce.providers.base import CheckoutRequest, ProviderCheckout
from core.db import Database, UTCDateTime, utcnow

SUCCEEDS, DECLINED, AUTHENTICATES = "4242424242424242", "4000000000000002", "4000002500003155"
API_VERSION = "2025-10-29.clover"


class _ProviderBase(DeclarativeBase):
    """The provider's own schema: not the platform's (no migration of ours), as Stripe's is not."""


class LocalObject(_ProviderBase):
    """The local provider's records (checkout sessions, charges, refunds, disputes, accounts, events,
    idempotency keys), in Stripe's shape: what Stripe would hold on its side."""

    __tablename__ = "local_payment_objects"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@lru_cache(maxsize=16)
def provider_database(path: Path) -> Database:
    """The provider's own SQLite file in the data dir, one per process (a separate system: its writes
    never wait on the platform's transaction, nor the platform's on its)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(f"sqlite:///{path}")
    _ProviderBase.metadata.create_all(db.engine)
    return db


def _id(prefix: str) -> str:
    return f"{prefix}_local_{secrets.token_hex(10)}"


def event(kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": _id("evt"),
        "object": "event",
        "api_version": API_VERSION,
        "created": int(time.time()),
        "livemode": False,
        "type": kind,
        "data": {"object": obj},
    }


class LocalProvider:
    name = "local"

    def __init__(self, data_dir: Path, base_url: str) -> None:
        self.db = provider_database((data_dir / "local-payments.sqlite").resolve())
        self.base_url = base_url.rstrip("/")

    # --- records ---------------------------------------------------------------------------

    def _get(self, s: Session, kind: str, object_id: str) -> dict[str, Any]:
        row = s.get(LocalObject, object_id)
        if row is None or row.kind != kind:
            raise LookupError(f"no such {kind}: {object_id}")
        return dict(row.data)

    def _put(self, s: Session, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        row = s.get(LocalObject, data["id"])
        if row is None:
            s.add(LocalObject(id=data["id"], kind=kind, data=data))
        else:
            row.data = dict(data)
        s.flush()
        return data

    def _once(self, s: Session, key: str) -> dict[str, Any] | None:
        """An idempotent replay: the object a key made before, as Stripe answers a retried POST."""
        row = s.get(LocalObject, f"idem_{key}"[:80])
        return self._get(s, row.data["kind"], row.data["id"]) if row is not None else None

    def _remember(self, s: Session, key: str, kind: str, object_id: str) -> None:
        s.add(LocalObject(id=f"idem_{key}"[:80], kind="idempotency", data={"kind": kind, "id": object_id}))

    # --- the Protocol --------------------------------------------------------------------------

    def create_checkout(self, request: CheckoutRequest) -> ProviderCheckout:
        with self.db.transaction() as s:
            found = self._once(s, request.idempotency_key)
            if found is not None:
                return ProviderCheckout(found["id"], found["url"])
            checkout_id = _id("cs")
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
            }
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
            refund: dict[str, Any] = {"id": _id("re"), "object": "refund", "amount": amount, "charge": charge_id}
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
                "id": _id("acct"),
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
        return f"{self.base_url}/connect/{account_id}?return_url={return_url}"

    # --- what the test pages do -------------------------------------------------------------------

    def _outbox(self, s: Session, events: list[dict[str, Any]]) -> None:
        for e in events:
            self._put(s, "event", {"id": e["id"], "event": e, "delivered": False})

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
            if checkout["status"] != "open":
                return "paid" if checkout["payment_status"] != "unpaid" else "expired"
            intent = checkout.get("payment_intent") or _id("pi")
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
            charge = {
                "id": _id("ch"),
                "object": "charge",
                "amount": checkout["amount_total"],
                "amount_refunded": 0,
                "currency": checkout["currency"],
                "payment_intent": intent,
                "refunded": False,
                "disputed": False,
                "status": "succeeded",
                "application_fee_amount": checkout["application_fee_amount"],
                "destination": checkout["account"],
            }
            checkout |= {"status": "complete", "payment_status": "paid", "charge": charge["id"]}
            self._put(s, "charge", charge)
            self._put(s, "checkout.session", checkout)
            pi = {"id": intent, "object": "payment_intent", "status": "succeeded", "latest_charge": charge["id"]}
            self._outbox(
                s,
                [
                    event("charge.succeeded", charge),
                    event("payment_intent.succeeded", pi),
                    event("checkout.session.completed", checkout),
                ],
            )
            return "paid"

    def dispute(self, charge_id: str) -> dict[str, Any]:
        """What a bank's chargeback looks like (for tests and the demo): the charge is disputed."""
        with self.db.transaction() as s:
            charge = self._get(s, "charge", charge_id)
            dispute = {"id": _id("dp"), "object": "dispute", "charge": charge_id, "status": "needs_response"}
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
