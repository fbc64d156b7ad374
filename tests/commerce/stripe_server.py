"""A loopback Stripe for the adapter's tests: the endpoints Academy calls, speaking Stripe's wire format
(form-encoded bracketed parameters in, JSON objects and Stripe's error shapes out, `Idempotency-Key`
replays, a Bearer secret key), and the test hooks Stripe's dashboard would be (`pay`, `dispute`,
`close_dispute`) producing events in Stripe's shape that the tests sign and deliver like Stripe does.

The test hooks have the local provider's names, so the payment suite runs unchanged on either."""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from commerce.providers.local import AUTHENTICATES, DECLINED, SUCCEEDS
from tests.commerce.stripe_billing import LoopbackBilling

KEY = "sk_test_loopback"
PART = re.compile(r"([^\[\]]+)|\[([^\[\]]*)\]")


def parse_form(body: str) -> dict[str, Any]:
    """`line_items[0][price_data][currency]=usd` → nested dicts, lists where the keys are 0, 1, …"""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = [a or b for a, b in PART.findall(key)]
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _lists(root)


def _lists(node: Any) -> Any:
    if isinstance(node, dict):
        if node and all(k.isdigit() for k in node):
            return [_lists(node[k]) for k in sorted(node, key=int)]
        return {k: _lists(v) for k, v in node.items()}
    return node


class StripeError(Exception):
    def __init__(self, status: int, kind: str, code: str, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.status, self.body = status, {"error": {"type": kind, "code": code, "message": message, "param": param}}


def _id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(8)}"


class LoopbackStripe(LoopbackBilling):
    def __init__(self) -> None:
        self.objects: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str, dict[str, Any], dict[str, str]]] = []
        self.replies: dict[str, tuple[str, int, dict[str, Any]]] = {}  # idempotency key -> (body, status, reply)
        self.outbox: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.url = ""

    # --- the API -------------------------------------------------------------------------------

    def handle(self, method: str, path: str, params: dict[str, Any]) -> dict[str, Any]:
        parts = path.strip("/").split("/")[1:]  # drop "v1"
        if method == "POST" and parts == ["checkout", "sessions"]:
            return self._create_session(params)
        if method == "GET" and parts[:2] == ["checkout", "sessions"] and len(parts) == 3:
            session = dict(self._get(parts[2], "checkout.session"))
            if "payment_intent" in params.get("expand", []) and session["payment_intent"]:
                session["payment_intent"] = self._get(session["payment_intent"], "payment_intent")
            return session
        if method == "GET" and len(parts) == 2 and parts[0] in ("charges", "disputes", "accounts"):
            return self._get(parts[1], {"charges": "charge", "disputes": "dispute", "accounts": "account"}[parts[0]])
        billed = self.billing(method, parts, params)
        if billed is not None:
            return billed
        if method == "POST" and parts == ["refunds"]:
            return self._refund(params)
        if method == "POST" and parts == ["accounts"]:
            return self._put({"id": _id("acct"), "object": "account", "charges_enabled": False,
                              "payouts_enabled": False, "details_submitted": False, "email": params.get("email"),
                              "metadata": params.get("metadata", {})})  # fmt: skip
        if method == "POST" and parts == ["account_links"]:
            self._get(params.get("account", ""), "account")
            return {"object": "account_link", "url": f"{self.url}/connect/{params['account']}", "expires_at": 0}
        raise StripeError(404, "invalid_request_error", "resource_missing", f"Unrecognized request URL ({path}).")

    def _get(self, object_id: str, kind: str) -> dict[str, Any]:
        found = self.objects.get(object_id)
        if found is None or found["object"] != kind:
            raise StripeError(404, "invalid_request_error", "resource_missing", f"No such {kind}: '{object_id}'", "id")
        return found

    def _put(self, obj: dict[str, Any]) -> dict[str, Any]:
        self.objects[obj["id"]] = obj
        return obj

    def _new_id(self, prefix: str) -> str:
        return _id(prefix)

    def _create_session(self, p: dict[str, Any]) -> dict[str, Any]:
        item = p["line_items"][0]["price_data"]
        data = p.get("payment_intent_data") or p.get("subscription_data") or {}
        if "destination" not in data.get("transfer_data", {}):
            raise StripeError(
                400, "invalid_request_error", "parameter_missing", "Missing transfer_data.", "transfer_data"
            )
        now, expires = int(time.time()), int(p.get("expires_at") or time.time() + 86_400)
        if not now + 1_800 <= expires <= now + 86_400:  # Stripe's rule for `expires_at`
            raise StripeError(400, "invalid_request_error", "parameter_invalid_integer",
                              "expires_at must be 30 minutes to 24 hours from now.", "expires_at")  # fmt: skip
        session_id = _id("cs")
        return self._put({"expires_at": expires,
            "id": session_id, "object": "checkout.session", "mode": p["mode"], "status": "open",
            "payment_status": "unpaid", "client_reference_id": p.get("client_reference_id"),
            "amount_total": int(item["unit_amount"]), "currency": item["currency"], "metadata": p.get("metadata", {}),
            "payment_intent": None, "url": f"https://checkout.stripe.test/c/pay/{session_id}",
            "application_fee_amount": int(data.get("application_fee_amount", 0)),
            "destination": data["transfer_data"]["destination"], "success_url": p["success_url"],
            "recurring": item.get("recurring"), "subscription": None, "invoice": None,
        })  # fmt: skip

    def _refund(self, p: dict[str, Any]) -> dict[str, Any]:
        charge = self._get(p.get("charge", ""), "charge")
        amount = int(p.get("amount", charge["amount"] - charge["amount_refunded"]))
        if charge.get("dispute_status") in ("needs_response", "lost"):
            raise StripeError(400, "invalid_request_error", "charge_disputed", "This charge is disputed.", "charge")
        if charge["amount_refunded"] + amount > charge["amount"]:
            raise StripeError(400, "invalid_request_error", "amount_too_large", "Refund exceeds the charge.", "amount")
        refund = self._put({"id": _id("re"), "object": "refund", "amount": amount, "charge": charge["id"],
                            "status": "succeeded", "reverse_transfer": p.get("reverse_transfer") == "true",
                            "refund_application_fee": p.get("refund_application_fee") == "true"})  # fmt: skip
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        self._emit("refund.created", refund)
        self._emit("charge.refunded", charge)
        return refund

    def _emit(self, kind: str, obj: dict[str, Any]) -> None:
        self.outbox.append({"id": _id("evt"), "object": "event", "api_version": "2025-10-29.clover",
                            "created": int(time.time()), "livemode": False, "type": kind,
                            "data": {"object": json.loads(json.dumps(obj))}, "delivered": False})  # fmt: skip

    # --- what the dashboard / the customer does (the local provider's names) ----------------------

    def pay(self, session_id: str, card: str, authenticated: bool | None = None) -> str:
        card = "".join(ch for ch in card if ch.isdigit())
        with self.lock:
            session = self._get(session_id, "checkout.session")
            if session["status"] == "open" and session["expires_at"] <= time.time():
                session["status"] = "expired"
                self._emit("checkout.session.expired", session)
            if session["status"] != "open":
                return "paid" if session["payment_status"] != "unpaid" else "expired"
            if card == AUTHENTICATES and authenticated is None:
                return "requires_action"
            intent = session["payment_intent"] or _id("pi")
            session["payment_intent"] = intent
            if card not in (SUCCEEDS, AUTHENTICATES) or authenticated is False or card == DECLINED:
                pi = self._put({"id": intent, "object": "payment_intent", "status": "requires_payment_method",
                                "metadata": session["metadata"], "latest_charge": None,
                                "last_payment_error": {"code": "card_declined", "message": "Your card was declined."}})  # fmt: skip
                self._emit("payment_intent.payment_failed", pi)
                return "declined"
            charge = self._put({"id": _id("ch"), "object": "charge", "amount": session["amount_total"],
                                "amount_refunded": 0, "currency": session["currency"], "payment_intent": intent,
                                "refunded": False, "disputed": False, "status": "succeeded"})  # fmt: skip
            pi = self._put({"id": intent, "object": "payment_intent", "status": "succeeded",
                            "latest_charge": charge["id"], "metadata": session["metadata"]})  # fmt: skip
            session |= {"status": "complete", "payment_status": "paid"}
            self._emit("charge.succeeded", charge)
            self._emit("payment_intent.succeeded", pi)
            if session["mode"] == "subscription":  # Stripe pays it through the first invoice
                self.subscribe(session, charge, int(time.time()))
            self._emit("checkout.session.completed", session)
            return "paid"

    def retrieve_checkout(self, session_id: str) -> dict[str, Any]:
        """As the adapter normalises it (the suite reads `charge` off it)."""
        session = dict(self._get(session_id, "checkout.session"))
        invoice = self.objects.get(session.get("invoice") or "")
        paid = invoice["payments"]["data"] if invoice else []
        intent = self.objects.get((paid[0]["payment"]["payment_intent"] if paid else session["payment_intent"]) or "")
        session["charge"] = intent["latest_charge"] if intent else None
        return session

    def dispute(self, charge_id: str) -> dict[str, Any]:
        charge = self._get(charge_id, "charge")
        charge |= {"disputed": True, "dispute_status": "needs_response"}
        dispute = self._put({"id": _id("dp"), "object": "dispute", "charge": charge_id, "status": "needs_response",
                             "amount": charge["amount"] - charge["amount_refunded"]})  # fmt: skip
        self._emit("charge.dispute.created", dispute)
        return dispute

    def close_dispute(self, dispute_id: str, won: bool) -> dict[str, Any]:
        dispute = self._get(dispute_id, "dispute")
        dispute["status"] = "won" if won else "lost"
        self._get(dispute["charge"], "charge")["dispute_status"] = dispute["status"]
        self._emit("charge.dispute.closed", dispute)
        return dispute

    def finish_onboarding(self, account_id: str) -> dict[str, Any]:
        account = self._get(account_id, "account")
        account |= {"charges_enabled": True, "payouts_enabled": True, "details_submitted": True}
        self._emit("account.updated", account)
        return account

    def pending_events(self) -> list[dict[str, Any]]:
        return [{k: v for k, v in e.items() if k != "delivered"} for e in self.outbox if not e["delivered"]]

    def mark_delivered(self, event_id: str) -> None:
        for e in self.outbox:
            if e["id"] == event_id:
                e["delivered"] = True


def _handler(stripe: LoopbackStripe) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            return None

        def _answer(self, status: int, body: dict[str, Any], replayed: bool = False) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Request-Id", _id("req"))
            if replayed:
                self.send_header("Idempotent-Replayed", "true")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def _serve(self, method: str) -> None:
            url = urlsplit(self.path)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            if self.headers.get("Authorization") != f"Bearer {KEY}":
                error = {"type": "invalid_request_error", "message": "Invalid API Key provided."}
                return self._answer(401, {"error": error})
            params = parse_form(raw if method == "POST" else url.query)
            key = self.headers.get("Idempotency-Key") if method == "POST" else None
            with stripe.lock:
                stripe.requests.append((method, url.path, params, dict(self.headers)))
                if key and key in stripe.replies:
                    body, status, reply = stripe.replies[key]
                    if body != raw:
                        error = {"type": "idempotency_error", "message": "Keys for idempotent requests can only "
                                 "be used with the same parameters they were first used with."}  # fmt: skip
                        return self._answer(400, {"error": error})
                    return self._answer(status, reply, replayed=True)
                try:
                    status, reply = 200, stripe.handle(method, url.path, params)
                except StripeError as exc:
                    status, reply = exc.status, exc.body
                if key:
                    stripe.replies[key] = (raw, status, reply)
            return self._answer(status, reply)

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

    return Handler


@contextmanager
def loopback_stripe() -> Iterator[LoopbackStripe]:
    stripe = LoopbackStripe()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stripe))
    stripe.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stripe
    finally:
        server.shutdown()
        server.server_close()
