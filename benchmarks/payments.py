"""Payments on the embedded stack (SQLite, the local provider, Huey on SQLite, 2 cores).

1. Checkout creation: `start_checkout` for N learners on the local provider (p50/p95).
2. Webhook intake: the N purchases' events (3 each), plus 30% duplicates, shuffled, posted signed to
   `POST /v1/webhooks/stripe` of a real server (uvicorn, in this process; the job consumer inside it)
   by 8 concurrent clients. Reported: events/s acknowledged, events/s acted on, p95 from the first
   receipt of a session's `checkout.session.completed` to its entitlement, and the double fulfilments
   (orders, entitlements and purchase events beyond one per purchase: the target is 0).

Run: `python -m benchmarks.payments [--purchases 2334]` (2,334 purchases: 7,002 events + 30% = ~10,000)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import httpx
import uvicorn
from sqlalchemy import func, select

from benchmarks.common import machine, now, percentile, write
from commerce import accounts, catalog
from commerce.checkout import start_checkout
from commerce.models import Order, OrderEvent, PaymentEvent
from commerce.providers.factory import webhook_secrets
from commerce.providers.local import LocalPaymentProvider
from commerce.webhooks.signature import sign
from core import entitlements, identity, migrate
from core.db import Database
from core.models import StoreMember, User
from core.principal import Principal
from core.settings import Settings
from courses import catalog as courses

PORT = 18741


def _setup(settings: Settings, db: Database, purchases: int) -> tuple[LocalPaymentProvider, str, str, list[Principal]]:
    local = LocalPaymentProvider(settings.data_dir, settings.public_base_url)
    with db.transaction() as s:
        owner_user = identity.create_user(s, "owner@bench.example.com", "password-123")
        store = identity.create_store(s, owner_user, "bench", "Bench")
        owner = identity.principal_for_user(s, owner_user, store.id)
        course = courses.create_course(s, owner, slug="c", title="Course", is_free=False)
        module = courses.create_module(s, owner, course.id, "M")
        courses.create_lesson(s, owner, module.id, title="L", body_md="# L\nbody")
        courses.publish_course(s, owner, course.id)
        users = [User(email=f"l{i}@bench.example.com", name="") for i in range(purchases)]  # no password: fast
        s.add_all(users)
        s.flush()
        s.add_all([StoreMember(store_id=store.id, user_id=u.id, role="learner") for u in users])
        learners = [Principal(u.id, store.id, "learner", frozenset({"learn"})) for u in users]
    with db.transaction() as s:
        account = accounts.connect(s, owner, local)
        account_id = account.account_id
    local.finish_onboarding(account_id)
    with db.transaction() as s:
        accounts.refresh(s, owner, local)
        product = catalog.create_product(s, owner, "course", "Course", course_id=course.id)
        price = catalog.create_price(s, owner, product.id, "usd", 4999)
        catalog.update_product(s, owner, product.id, status="active")
        return local, product.id, price.id, learners


def _checkouts(settings: Settings, db: Database, local: LocalPaymentProvider, product: str, price: str,
               learners: list[Principal]) -> tuple[list[float], list[str]]:  # fmt: skip
    seconds, sessions = [], []
    for learner in learners:
        started = time.perf_counter()
        with db.transaction() as s:
            row = start_checkout(s, learner, local, product, price, "/s/ok", "/s/no", settings.platform_fee_bps,
                                 site=settings.public_base_url)  # fmt: skip
            sessions.append(row.provider_session_id or "")
        seconds.append(time.perf_counter() - started)
    return seconds, sessions


def _serve(settings: Settings, db: Database) -> uvicorn.Server:
    from api.app import create_app

    app = create_app(settings, db=db, run_jobs=True)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=PORT, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server


def _post_all(events: list[dict[str, Any]], secret: str) -> tuple[float, dict[str, float]]:
    """Post every event (8 at a time); the seconds it took and each event id's first receipt time."""
    received: dict[str, float] = {}
    lock = threading.Lock()
    client = httpx.Client(base_url=f"http://127.0.0.1:{PORT}", timeout=60)

    def post(event: dict[str, Any]) -> None:
        body = json.dumps(event).encode()
        at = time.time()
        answer = client.post("/v1/webhooks/stripe", content=body, headers={"Stripe-Signature": sign(body, secret)})
        answer.raise_for_status()
        with lock:
            received.setdefault(event["id"], at)

    started = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(post, events))
    client.close()
    return time.perf_counter() - started, received


def run(purchases: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="academy-bench-payments-") as folder:
        settings = Settings(data_dir=Path(folder), demo=False, secret_key="b" * 40, jobs_workers=2,
                            public_base_url=f"http://127.0.0.1:{PORT}")  # fmt: skip
        migrate.upgrade(settings.resolved_database_url)
        db = Database(settings.resolved_database_url)
        local, product, price, learners = _setup(settings, db, purchases)
        checkout_s, sessions = _checkouts(settings, db, local, product, price, learners)
        for session_id in sessions:
            local.pay(session_id, "4242424242424242")
        unique = local.pending_events()
        completed = {e["id"]: e["data"]["object"]["client_reference_id"] for e in unique
                     if e["type"] == "checkout.session.completed"}  # fmt: skip
        rng = random.Random(7)
        events = unique + [rng.choice(unique) for _ in range(round(len(unique) * 0.3 / 0.7))]
        rng.shuffle(events)
        server = _serve(settings, db)
        try:
            post_s, received = _post_all(events, webhook_secrets(settings)[0])
            started = time.perf_counter()
            while True:
                with db.transaction() as s:
                    left = s.scalar(select(func.count(PaymentEvent.id)).where(PaymentEvent.status == "received"))
                if not left:
                    break
                time.sleep(0.2)
            drained_s = post_s + time.perf_counter() - started
            with db.transaction() as s:
                orders = s.scalar(select(func.count(Order.id))) or 0
                held = s.scalar(select(func.count(entitlements.Entitlement.id)).where(
                    entitlements.Entitlement.resource_kind == "course")) or 0  # fmt: skip
                bought = s.scalar(select(func.count(OrderEvent.id)).where(OrderEvent.kind == "purchase.completed"))
                rows = s.execute(select(Order.checkout_session_id, Order.created_at))
                granted: dict[str, datetime] = {checkout: at for checkout, at in rows if checkout}
                stored = s.scalar(select(func.count(PaymentEvent.id))) or 0
        finally:
            server.should_exit = True
            time.sleep(0.5)
            db.dispose()
    lag = [granted[ref].timestamp() - received[eid] for eid, ref in completed.items() if ref in granted]
    return {
        "benchmark": "payments",
        "date": now(),
        "machine": machine(),
        "stack": "SQLite (WAL), local provider, Huey on SQLite with 2 consumer threads, uvicorn in-process",
        "purchases": purchases,
        "checkout_p50_ms": round(percentile(checkout_s, 0.5) * 1000, 1),
        "checkout_p95_ms": round(percentile(checkout_s, 0.95) * 1000, 1),
        "events_posted": len(events),
        "events_unique": len(unique),
        "events_stored": stored,
        "duplicates_share": round(1 - len(unique) / len(events), 3),
        "acknowledged_per_s": round(len(events) / post_s, 1),
        "processed_per_s": round(len(unique) / drained_s, 1),
        "receipt_to_entitlement_p50_ms": round(percentile(lag, 0.5) * 1000, 1),
        "receipt_to_entitlement_p95_ms": round(percentile(lag, 0.95) * 1000, 1),
        "orders": orders,
        "course_entitlements": held,
        "purchase_events": bought,
        "double_fulfilments": (orders - purchases) + (held - purchases) + ((bought or 0) - purchases),
    }


def markdown(r: dict[str, Any]) -> str:
    m = r["machine"]
    return "\n".join(
        [
            "# Payments: checkout and webhook intake",
            "",
            f"- date: {r['date']}; machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB",
            f"- stack: {r['stack']}",
            "",
            "| measure | value |",
            "|---|---|",
            f"| purchases | {r['purchases']} |",
            f"| checkout creation p50 / p95 (local provider) | {r['checkout_p50_ms']} / {r['checkout_p95_ms']} ms |",
            f"| events posted (unique; stored) | {r['events_posted']} ({r['events_unique']}; {r['events_stored']}) |",
            f"| duplicates | {r['duplicates_share']:.0%} |",
            f"| acknowledged (stored, 2xx) | {r['acknowledged_per_s']} events/s |",
            f"| acted on | {r['processed_per_s']} events/s |",
            f"| receipt to entitlement p50 / p95 | {r['receipt_to_entitlement_p50_ms']} / "
            f"{r['receipt_to_entitlement_p95_ms']} ms |",
            f"| orders; course entitlements; purchase events | {r['orders']}; {r['course_entitlements']}; "
            f"{r['purchase_events']} |",
            f"| double fulfilments (target 0) | {r['double_fulfilments']} |",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--purchases", type=int, default=2334)
    args = parser.parse_args()
    report = run(args.purchases)
    path = write("payments", report, markdown(report))
    print(markdown(report))
    print(f"written to {path}")


if __name__ == "__main__":
    main()
