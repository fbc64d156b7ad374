"""The local provider's subscriptions: a membership billed by the period, the way Stripe bills one.

Paying a subscription's checkout starts it (`customer.subscription.created`, `invoice.paid` for the
first invoice). A period's end is a renewal: a new invoice and charge (`invoice.paid`,
`customer.subscription.updated`), or, with a failing card, `invoice.payment_failed` and `past_due`,
or, when the member asked to cancel, the end (`customer.subscription.deleted`). Nothing here runs on
a clock: `renew` and `end_subscription` are what Stripe's billing cycle does, called by the demo and
the tests at the moment a period ends."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from commerce.providers.local_records import LocalRecords, event, new_id


def period_end(start: int, interval: str, count: int) -> int:
    """The end of a billing period that starts at `start` (epoch seconds): calendar months and
    years, as Stripe counts them (31 January + 1 month is 28 or 29 February)."""
    at = datetime.fromtimestamp(start, UTC)
    if interval in ("day", "week"):
        return int((at + timedelta(days=count * (7 if interval == "week" else 1))).timestamp())
    months = count * (12 if interval == "year" else 1)
    year, month = divmod(at.month - 1 + months, 12)
    year, month = at.year + year, month + 1
    return int(at.replace(year=year, month=month, day=min(at.day, calendar.monthrange(year, month)[1])).timestamp())


class LocalSubscriptions(LocalRecords):
    """The records, charges and outbox of the provider, plus its subscriptions and invoices."""

    def _invoice(self, s: Session, sub: dict[str, Any], charge: dict[str, Any] | None, reason: str) -> dict[str, Any]:
        invoice = {
            "id": new_id("in"),
            "object": "invoice",
            "status": "paid" if charge else "open",
            "amount_paid": sub["amount"] if charge else 0,
            "amount_due": sub["amount"],
            "currency": sub["currency"],
            "billing_reason": reason,
            "subscription": sub["id"],
            "payment_intent": charge["payment_intent"] if charge else None,
            "charge": charge["id"] if charge else None,
            "period_end": sub["current_period_end"],
        }
        return self._put(s, "invoice", invoice)

    def _subscribe(self, s: Session, checkout: dict[str, Any], charge: dict[str, Any]) -> list[dict[str, Any]]:
        """Start the subscription a paid checkout bought; the events that tell of it."""
        now = int(charge["created"])
        recurring = checkout["recurring"]
        sub = {
            "id": new_id("sub"),
            "object": "subscription",
            "status": "active",
            "cancel_at_period_end": False,
            "ended_at": None,
            "current_period_start": now,
            "current_period_end": period_end(now, recurring["interval"], recurring["interval_count"]),
            "recurring": recurring,
            "amount": checkout["amount_total"],
            "currency": checkout["currency"],
            "fee": checkout["application_fee_amount"],
            "destination": checkout["account"],
            "metadata": dict(checkout["metadata"]),
            "periods": 1,
        }
        invoice = self._invoice(s, sub, charge, "subscription_create")
        sub["latest_invoice"] = invoice["id"]
        self._put(s, "subscription", sub)
        checkout |= {"subscription": sub["id"], "invoice": invoice["id"]}
        return [event("customer.subscription.created", sub), event("invoice.paid", invoice)]

    def retrieve_subscription(self, subscription_id: str) -> dict[str, Any]:
        with self.db.transaction() as s:
            return self._get(s, "subscription", subscription_id)

    def retrieve_invoice(self, invoice_id: str) -> dict[str, Any]:
        with self.db.transaction() as s:
            return self._get(s, "invoice", invoice_id)

    def cancel_subscription(self, subscription_id: str, idempotency_key: str) -> dict[str, Any]:
        """At the period's end: asking twice is asking once (the key is not needed to make it so)."""
        with self.db.transaction() as s:
            sub = self._get(s, "subscription", subscription_id)
            if sub["status"] in ("canceled", "incomplete_expired"):
                raise ValueError("subscription_canceled: this subscription has ended already")
            if not sub["cancel_at_period_end"]:
                sub["cancel_at_period_end"] = True
                self._put(s, "subscription", sub)
                self._outbox(s, [event("customer.subscription.updated", sub)])
            return sub

    # --- what Stripe's billing does when a period ends (the demo's and the tests' hooks) ------------

    def renew(self, subscription_id: str, pays: bool = True) -> str:
        """The period ends: `renewed`, `past_due` (the card failed; retried later) or `canceled`
        (the member had asked to cancel at the period's end)."""
        with self.db.transaction() as s:
            sub = self._get(s, "subscription", subscription_id)
            if sub["status"] == "canceled":
                return "canceled"
            if sub["cancel_at_period_end"]:
                sub |= {"status": "canceled", "ended_at": sub["current_period_end"]}
                self._put(s, "subscription", sub)
                self._outbox(s, [event("customer.subscription.deleted", sub)])
                return "canceled"
            sub["periods"] += 1
            if not pays:
                invoice = self._invoice(s, sub, None, "subscription_cycle")
                sub |= {"status": "past_due", "latest_invoice": invoice["id"]}
                self._put(s, "subscription", sub)
                failed = event("invoice.payment_failed", invoice)
                self._outbox(s, [failed, event("customer.subscription.updated", sub)])
                return "past_due"
            charge = self._charge(s, sub["amount"], sub["currency"], sub["fee"], sub["destination"])
            start = sub["current_period_end"]
            recurring = sub["recurring"]
            sub |= {"status": "active", "current_period_start": start}
            sub["current_period_end"] = period_end(start, recurring["interval"], recurring["interval_count"])
            invoice = self._invoice(s, sub, charge, "subscription_cycle")
            sub["latest_invoice"] = invoice["id"]
            self._put(s, "subscription", sub)
            self._outbox(
                s,
                [
                    event("charge.succeeded", charge),
                    event("invoice.paid", invoice),
                    event("customer.subscription.updated", sub),
                ],
            )
            return "renewed"

    def end_subscription(self, subscription_id: str, status: str = "canceled") -> dict[str, Any]:
        """Billing gives up on a failing card: `canceled` (or `unpaid`, if the store keeps it open)."""
        with self.db.transaction() as s:
            sub = self._get(s, "subscription", subscription_id)
            sub["status"] = status
            if status == "canceled":
                sub["ended_at"] = int(datetime.now(UTC).timestamp())
            self._put(s, "subscription", sub)
            kind = "customer.subscription.deleted" if status == "canceled" else "customer.subscription.updated"
            self._outbox(s, [event(kind, sub)])
            return sub
