"""The loopback Stripe's billing: subscriptions and invoices in the shape Stripe's current API answers
(the period on the subscription's items; the subscription under `parent.subscription_details`; the
invoice's payments only when expanded), and the billing cycle's moments as test hooks (`renew`,
`end_subscription`), under the local provider's names."""

from __future__ import annotations

from typing import Any

from commerce.providers.local_subscriptions import period_end


class LoopbackBilling:
    objects: dict[str, dict[str, Any]]

    def _get(self, object_id: str, kind: str) -> dict[str, Any]:
        raise NotImplementedError

    def _put(self, obj: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def _emit(self, kind: str, obj: dict[str, Any]) -> None:
        raise NotImplementedError

    def _new_id(self, prefix: str) -> str:
        raise NotImplementedError

    # --- the API ---------------------------------------------------------------------------

    def billing(self, method: str, parts: list[str], params: dict[str, Any]) -> dict[str, Any] | None:
        """Answer a billing request, or None when it is not one."""
        if len(parts) != 2:
            return None
        kind, object_id = parts
        if method == "GET" and kind == "subscriptions":
            return self._get(object_id, "subscription")
        if method == "POST" and kind == "subscriptions":
            sub = self._get(object_id, "subscription")
            if "cancel_at_period_end" in params:
                sub["cancel_at_period_end"] = params["cancel_at_period_end"] == "true"
                self._emit("customer.subscription.updated", sub)
            return sub
        if method == "GET" and kind == "invoices":
            invoice = dict(self._get(object_id, "invoice"))
            if "payments" not in params.get("expand", []):
                invoice.pop("payments")
            return invoice
        if method == "GET" and kind == "payment_intents":
            return self._get(object_id, "payment_intent")
        return None

    def _invoice(self, sub: dict[str, Any], charge: dict[str, Any] | None, reason: str) -> dict[str, Any]:
        paid = [{"object": "invoice_payment", "status": "paid",
                 "payment": {"type": "payment_intent", "payment_intent": charge["payment_intent"]}}] if charge else []  # fmt: skip
        return self._put({
            "id": self._new_id("in"), "object": "invoice", "status": "paid" if charge else "open",
            "amount_paid": sub["plan_amount"] if charge else 0, "amount_due": sub["plan_amount"],
            "currency": sub["currency"], "billing_reason": reason,
            "parent": {"type": "subscription_details", "subscription_details": {"subscription": sub["id"]}},
            "payments": {"object": "list", "data": paid},
        })  # fmt: skip

    def _charge(self, amount: int, currency: str) -> dict[str, Any]:
        intent = self._new_id("pi")
        charge = self._put({"id": self._new_id("ch"), "object": "charge", "amount": amount, "amount_refunded": 0,
                            "currency": currency, "payment_intent": intent, "refunded": False, "disputed": False,
                            "status": "succeeded"})  # fmt: skip
        self._put({"id": intent, "object": "payment_intent", "status": "succeeded", "latest_charge": charge["id"]})
        return charge

    def subscribe(self, session: dict[str, Any], charge: dict[str, Any], now: int) -> None:
        recurring = session["recurring"]
        end = period_end(now, recurring["interval"], int(recurring["interval_count"]))
        sub = self._put({
            "id": self._new_id("sub"), "object": "subscription", "status": "active", "cancel_at_period_end": False,
            "ended_at": None, "metadata": session["metadata"], "currency": session["currency"],
            "plan_amount": session["amount_total"], "recurring": recurring,
            "items": {"object": "list", "data": [{"object": "subscription_item", "current_period_start": now,
                                                  "current_period_end": end}]},
        })  # fmt: skip
        invoice = self._invoice(sub, charge, "subscription_create")
        sub["latest_invoice"] = invoice["id"]
        session |= {"subscription": sub["id"], "invoice": invoice["id"], "payment_intent": None}
        self._emit("customer.subscription.created", sub)
        self._emit("invoice.paid", invoice)

    # --- the billing cycle (the local provider's hook names) --------------------------------------

    def renew(self, subscription_id: str, pays: bool = True) -> str:
        sub = self._get(subscription_id, "subscription")
        item = sub["items"]["data"][0]
        if sub["status"] == "canceled":
            return "canceled"
        if sub["cancel_at_period_end"]:
            sub |= {"status": "canceled", "ended_at": item["current_period_end"]}
            self._emit("customer.subscription.deleted", sub)
            return "canceled"
        if not pays:
            invoice = self._invoice(sub, None, "subscription_cycle")
            sub |= {"status": "past_due", "latest_invoice": invoice["id"]}
            self._emit("invoice.payment_failed", invoice)
            self._emit("customer.subscription.updated", sub)
            return "past_due"
        charge = self._charge(sub["plan_amount"], sub["currency"])
        start, recurring = item["current_period_end"], sub["recurring"]
        item |= {"current_period_start": start}
        item["current_period_end"] = period_end(start, recurring["interval"], int(recurring["interval_count"]))
        invoice = self._invoice(sub, charge, "subscription_cycle")
        sub |= {"status": "active", "latest_invoice": invoice["id"]}
        self._emit("charge.succeeded", charge)
        self._emit("invoice.paid", invoice)
        self._emit("customer.subscription.updated", sub)
        return "renewed"

    def end_subscription(self, subscription_id: str, status: str = "canceled") -> dict[str, Any]:
        sub = self._get(subscription_id, "subscription")
        sub["status"] = status
        self._emit("customer.subscription.deleted" if status == "canceled" else "customer.subscription.updated", sub)
        return sub
